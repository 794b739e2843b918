/* The status table of docs/protocol.md: what each helper status becomes
 * for the program, per API. */
#ifndef BIA_STATUS_H
#define BIA_STATUS_H

/* getaddrinfo() result (0 for OK). */
int bia_status_to_eai(unsigned status);

/* h_errno for gethostbyname*() (0 for OK). */
int bia_status_to_herrno(unsigned status);

/* errno for connect() where the status is a failure. */
int bia_status_to_errno(unsigned status);

#endif
