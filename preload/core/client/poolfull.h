/* The line a user reads when the helper's pool is full. */
#ifndef BIA_POOLFULL_H
#define BIA_POOLFULL_H

/*
 * Called with the status of a helper reply that needed a pool address
 * (RESOLVE of family 4, MAP6): for POOL_EXHAUSTED, warns once per process
 * on stderr (the program itself only sees EAI_AGAIN, TRY_AGAIN or an
 * errno) with the pool, how many of its addresses live connections hold
 * (from the published table; left out without one) and what to do.
 */
void bia_poolfull_note(unsigned status);

#endif
