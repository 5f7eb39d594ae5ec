"""pywinrm_fanout.py: Debian's python3-winrm running one command on every
host of a ready file, with a thread pool of the given size (the usual way
to fan out with pywinrm). Prints one line per host."""
import sys
from concurrent.futures import ThreadPoolExecutor

import winrm


def run(url):
    session = winrm.Session(url, auth=("bench", "bench-password"), transport="basic",
                            server_cert_validation="ignore")
    result = session.run_cmd("echo", ["x"])
    return url, result.std_out.decode().strip()


def main():
    urls = [line.strip() for line in open(sys.argv[1]) if line.strip()]
    with ThreadPoolExecutor(max_workers=int(sys.argv[2])) as pool:
        for url, out in pool.map(run, urls):
            print(url, out)


if __name__ == "__main__":
    main()
