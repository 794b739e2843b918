// An IPv4 TCP client in Go for the supervisor's tests, built with
// CGO_ENABLED=0: statically linked, its own system calls, no libc.
//
//	pool_client ADDR:PORT
//
// dials ADDR:PORT, prints the addresses Go reads back and the peer's
// first line.
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	conn, err := net.DialTimeout("tcp", os.Args[1], 5*time.Second)
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
