# pywinrm_bench.py: the python3-winrm side of `make bench` for WinRS, doing
# exactly what winrs_bench.c does, through pywinrm's public Protocol API.
#   pywinrm_bench.py URL USER sequential N | bulk BYTES   (password: PSREMOTE_PASSWORD)
import os
import sys

from winrm.protocol import Protocol


def run_one(p, shell, command):
    cmd = p.run_command(shell, command)
    out, err, code = p.get_command_output(shell, cmd)
    p.cleanup_command(shell, cmd)
    return len(out) + len(err), code


def main():
    url, user, mode, n = sys.argv[1:5]
    p = Protocol(url, transport="basic", username=user,
                 password=os.environ["PSREMOTE_PASSWORD"],
                 server_cert_validation="ignore")
    shell = p.open_shell()
    total = 0
    if mode == "sequential":
        for _ in range(int(n)):
            got, code = run_one(p, shell, "echo hello")
            total += got
    else:
        got, code = run_one(p, shell, "head -c %s /dev/zero" % n)
        total += got
    p.close_shell(shell)
    print("received %d bytes" % total)


main()
