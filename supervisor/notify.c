#include "notify.h"

#include "accept.h"
#include "bind.h"
#include "dnssteer.h"
#include "names.h"
#include "recv.h"
#include "send.h"
#include "swap.h"
#include "target.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

int notify_serve_one(int listener)
{
    struct seccomp_notif req;

    memset(&req, 0, sizeof req);   /* the kernel wants it zeroed */
    if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
        return errno == EINTR || errno == ENOENT ? 0 : -1;
    switch (req.data.nr) {
    case __NR_connect:
        if (!dnssteer_connect(listener, &req))
            swap_connect(listener, &req);
        break;
    case __NR_getpeername:
        names_answer(listener, &req, true);
        break;
    case __NR_getsockname:
        names_answer(listener, &req, false);
        break;
    case __NR_bind:
        bind_serve(listener, &req);
        break;
#ifdef __NR_accept
    case __NR_accept:
        accept_serve(listener, &req, false);
        break;
#endif
    case __NR_accept4:
        accept_serve(listener, &req, true);
        break;
    case __NR_sendto:
    case __NR_sendmsg:
        send_serve(listener, &req);
        break;
    case __NR_recvfrom:
    case __NR_recvmsg:
        recv_serve(listener, &req);
        break;
    default:
        target_continue(listener, &req);
    }
    return 0;
}
