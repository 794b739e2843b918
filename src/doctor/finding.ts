// One line of `bia doctor`'s answer: what is so, and for a problem, what
// to do about it in plain words.
export interface Finding {
  level: 'ok' | 'note' | 'problem';
  what: string;
  fix?: string;
}
