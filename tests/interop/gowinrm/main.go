// Command gowinrm runs a few commands through masterzen/winrm and prints
// what came back, one line per command: name, quoted stdout and stderr, exit
// code. Used by tests/interop/gowinrm.sh (Basic) and
// tests/integration/auth_matrix.sh (NTLM) against psremote-harness.
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
	if len(os.Args) != 6 && len(os.Args) != 7 {
		fmt.Fprintln(os.Stderr, "usage: wclient HOST PORT HTTPS(0|1) CAFILE|- USER [ntlm] (password in WINRM_PASSWORD)")
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
	ntlm := len(os.Args) == 7 && os.Args[6] == "ntlm"
	run := func(name string, params *winrm.Parameters, command, stdin string) {
		if ntlm { // masterzen/winrm's NTLM transport (go-ntlmssp); it cannot seal
			p := *params
			p.TransportDecorator = func() winrm.Transporter { return &winrm.ClientNTLM{} }
			params = &p
		}
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
