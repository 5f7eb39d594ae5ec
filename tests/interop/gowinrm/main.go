// Command gowinrm runs a few commands through masterzen/winrm and prints
// what came back, one line per command: name, quoted stdout and stderr, exit
// code. Used by tests/interop/gowinrm.sh against psremote-harness.
package main

import (
	"bytes"
	"fmt"
	"io/ioutil"
	"os"
	"strconv"
	"strings"

	"github.com/masterzen/winrm"
)

func main() {
	if len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: wclient HOST PORT HTTPS(0|1) CAFILE|- USER (password in WINRM_PASSWORD)")
		os.Exit(2)
	}
	host, user := os.Args[1], os.Args[5]
	port, _ := strconv.Atoi(os.Args[2])
	https := os.Args[3] == "1"
	var ca []byte
	if os.Args[4] != "-" {
		var err error
		if ca, err = ioutil.ReadFile(os.Args[4]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	insecure := https && ca == nil
	endpoint := winrm.NewEndpoint(host, port, https, insecure, ca, nil, nil, 0)
	password := os.Getenv("WINRM_PASSWORD")
	run := func(name string, params *winrm.Parameters, command, stdin string) {
		client, err := winrm.NewClientWithParameters(endpoint, user, password, params)
		if err != nil {
			fmt.Printf("%s error %q\n", name, err.Error())
			return
		}
		// RunWithInput closes stdin (Send with End) once the input is
		// sent; RunWithString would keep it open until the command ends.
		var stdout, stderr bytes.Buffer
		code, err := client.RunWithInput(command, &stdout, &stderr, strings.NewReader(stdin))
		if err != nil {
			fmt.Printf("%s error %q\n", name, err.Error())
			return
		}
		fmt.Printf("%s %q %q %d\n", name, stdout.String(), stderr.String(), code)
	}
	run("echo", winrm.DefaultParameters, "echo hello", "")
	run("stderr", winrm.DefaultParameters, "echo to-out; echo to-err >&2; exit 3", "")
	run("stdin", winrm.DefaultParameters, "tr a-z A-Z", "piped input\n")
	run("timeout", winrm.NewParameters("PT1S", "en-US", 153600), "sleep 2; echo late", "")
}
