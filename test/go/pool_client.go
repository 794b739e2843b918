// An IPv4 TCP client in Go for the supervisor's tests, built with
// CGO_ENABLED=0: statically linked, its own system calls, no libc.
//
//	pool_client ADDR:PORT [NETWORK]
//
// dials ADDR:PORT over NETWORK (tcp, or tcp4: an IPv4-only program, whose
// names Go's own resolver asks A for), prints the addresses Go reads back
// and the peer's first line.
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	network := "tcp"
	if len(os.Args) > 2 {
		network = os.Args[2]
	}
	conn, err := net.DialTimeout(network, os.Args[1], 5*time.Second)
	if err != nil {
		fmt.Println("dial error", err)
		os.Exit(1)
	}
	defer conn.Close()
	fmt.Println("remote", conn.RemoteAddr())
	fmt.Println("local", conn.LocalAddr())
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		fmt.Println("read error", err)
		os.Exit(1)
	}
	fmt.Print("greeting ", line)
}
