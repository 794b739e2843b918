// An IPv4-only TCP server in Go for the supervisor's tests, built with
// CGO_ENABLED=0: its own system calls, no libc.
//
//	tcp4_server PORT
//
// listens with "tcp4" on 0.0.0.0:PORT, serves one client a greeting and
// prints the addresses Go reads back.
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	ln, err := net.Listen("tcp4", "0.0.0.0:"+os.Args[1])
	if err != nil {
		fmt.Println("listen error", err)
		os.Exit(1)
	}
	fmt.Println("listening")
	conn, err := ln.Accept()
	if err != nil {
		fmt.Println("accept error", err)
		os.Exit(1)
	}
	fmt.Println("remote", conn.RemoteAddr())
	fmt.Println("local", conn.LocalAddr())
	fmt.Fprintln(conn, "hello from the Go server")
	conn.Close()
}
