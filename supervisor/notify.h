/* One trapped call: received from the listener and answered. */
#ifndef BIA_SUPERVISOR_NOTIFY_H
#define BIA_SUPERVISOR_NOTIFY_H

/* Serves one notification; -1 when the listener has none to give (every
 * target is gone), else 0. */
int notify_serve_one(int listener);

#endif
