#!/usr/bin/python3
"""Keystone's own mapping engine as an oracle for the broker's re-implementation (src/core/explain).

Run with Debian's /usr/bin/python3 (python3-keystone). Reads JSON lines on stdin, writes one JSON line
per input line on stdout, in order:

  {"id": 1, "rules": [...], "assertion": {"OIDC-aud": "openstack", ...}}
    -> {"id": 1, "ok": true, "matchedRules": [..], "mapped": {"user": .., "group_names": .., "group_ids": .., "projects": ..}}
    -> {"id": 1, "ok": false, "error": "ValidationError" | "DirectMappingError" | ..., "message": "..", "matchedRules": [..]}
  {"id": 2, "op": "bench", "rules": [...], "assertions": [{..}, ..], "seconds": 2}
    -> {"id": 2, "ok": true, "evaluations": N, "seconds": S, "perSecond": R}

matchedRules comes from RuleProcessor._verify_all_requirements (Keystone's own code) per rule.
Keystone's logging is silenced below ERROR (a 'no rule matched' warning per evaluation otherwise).
"""
import json
import logging
import sys
import time

import keystone.conf
from keystone.federation import utils

keystone.conf.configure()
keystone.conf.CONF([], project='keystone', default_config_files=[])
logging.getLogger('keystone').setLevel(logging.ERROR)
logging.getLogger().setLevel(logging.ERROR)


def evaluate(rules, assertion):
    processor = utils.RuleProcessor('oracle', rules)
    split = {k: v.split(';') for k, v in assertion.items() if isinstance(v, str)}
    matched = []
    try:
        for index, rule in enumerate(rules):
            if processor._verify_all_requirements(rule['remote'], split) is not None:
                matched.append(index)
        mapped = processor.process(assertion)
        return {'ok': True, 'matchedRules': matched, 'mapped': mapped}
    except Exception as error:  # every failure is an answer: Keystone turns them into 401/500
        return {'ok': False, 'error': type(error).__name__, 'message': str(error)[:300], 'matchedRules': matched}


def bench(rules, assertions, seconds):
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        for assertion in assertions:
            try:
                utils.RuleProcessor('bench', rules).process(assertion)
            except Exception:  # noqa: S110 - 'no rule matched' is an outcome here
                pass
            count += 1
    elapsed = time.perf_counter() - start
    return {'ok': True, 'evaluations': count, 'seconds': elapsed, 'perSecond': count / elapsed}


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        if request.get('op') == 'bench':
            answer = bench(request['rules'], request['assertions'], float(request.get('seconds', 2)))
        else:
            answer = evaluate(request['rules'], request['assertion'])
        answer['id'] = request.get('id')
        sys.stdout.write(json.dumps(answer) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
