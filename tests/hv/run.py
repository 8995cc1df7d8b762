#!/usr/bin/env python3
"""Boot the hypervisor with test modules under QEMU (TCG, time-bounded) and
judge the run from its serial records (keel/console.h).

  run.py NAME --hv build/hv/keel-hv --status N [--expect TEXT]... [--forbid TEXT]...
         [--qemu='-device ...']... MODULE...

Each MODULE is "path" or "path name".  Prints PASS/FAIL/CRASH/TIMEOUT NAME
and exits 0 only on PASS.  The full demultiplexed log goes to build/hvtest/NAME.log.
"""
import argparse, os, re, shlex, subprocess, sys

HDR = re.compile(rb'\x01K([0-9a-f]{4})(.)([0-9a-f]{4}):', re.S)

def records(data):
    """Yield (domid, stream, payload); bytes outside records as (None, '?', b)."""
    pos = 0
    while pos < len(data):
        m = HDR.search(data, pos)
        if not m:
            yield None, '?', data[pos:]
            return
        if m.start() > pos:
            yield None, '?', data[pos:m.start()]
        n = int(m.group(3), 16)
        yield int(m.group(1), 16), m.group(2).decode('latin1'), data[m.end():m.end() + n]
        pos = m.end() + n

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('name')
    ap.add_argument('--hv', required=True)
    ap.add_argument('--status', type=int, required=True)
    ap.add_argument('--expect', action='append', default=[])
    ap.add_argument('--forbid', action='append', default=[],
                    help='text that must not appear in the log')
    ap.add_argument('--timeout', type=int, default=90)
    ap.add_argument('--logdir', default='build/hvtest')
    ap.add_argument('--append', help='the hypervisor command line')
    ap.add_argument('--qemu', action='append', default=[],
                    help="more QEMU arguments, split like a shell's (give it as "
                         "--qemu='-device ...' since it starts with a dash)")
    ap.add_argument('modules', nargs='*')
    a = ap.parse_intermixed_args()
    cmd = ['qemu-system-x86_64', '-accel', 'tcg', '-cpu', 'max', '-smp', '2', '-m', '512M',
           '-nodefaults', '-display', 'none', '-no-reboot', '-serial', 'stdio',
           '-device', 'isa-debug-exit,iobase=0xf4,iosize=4', '-kernel', a.hv]
    for extra in a.qemu:
        cmd += shlex.split(extra)
    if a.append:
        cmd += ['-append', a.append]
    if a.modules:
        cmd += ['-initrd', ','.join(a.modules)]
    try:
        p = subprocess.run(['timeout', str(a.timeout)] + cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        out, rc = p.stdout, p.returncode
    except OSError as e:
        print(f'CRASH {a.name}: {e}')
        return 1
    text, status = [], None
    for dom, stream, payload in records(out):
        if stream == 'x':
            status = int(payload.decode() or -1)
        tag = 'raw' if dom is None else f'{dom:04x}{stream}'
        text.append(f'[{tag}] ' + payload.decode('utf-8', 'replace'))
    log = ''.join(t if t.endswith('\n') else t + '\n' for t in text)
    os.makedirs(a.logdir, exist_ok=True)
    with open(os.path.join(a.logdir, a.name + '.log'), 'w') as f:
        f.write(log)
    verdict = 'PASS'
    if rc == 124:
        verdict = 'TIMEOUT'
    elif status is None:
        verdict = 'CRASH'
    elif (status != a.status or any(e not in log for e in a.expect)
          or any(f in log for f in a.forbid)):
        verdict = 'FAIL'
    if verdict != 'PASS' or os.environ.get('V'):
        sys.stdout.write(log)
        missing = [e for e in a.expect if e not in log]
        found = [f for f in a.forbid if f in log]
        print(f'# status {status} (want {a.status}), qemu rc {rc}, missing {missing}, '
              f'forbidden {found}')
    print(f'{verdict} {a.name}')
    return 0 if verdict == 'PASS' else 1

if __name__ == '__main__':
    sys.exit(main())
