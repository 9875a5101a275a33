# Step result helper for Python steps (docs/workflow-authoring.md, "The step result standard").
# Paste the block between the markers into a step's script (the shipped templates carry it
# verbatim; a unit test keeps them in step), then call write_result() once, at the end:
#
#     statuses = {}
#     for key in keys:
#         statuses[key] = 'SUCCESS' if handle(key) else 'FAILURE'
#     write_result(overall(statuses.values()), 'summarized %d file(s)' % len(statuses), statuses)
#
# --- step result helper ---
import json
import os

RESULT_PATH = os.environ.get('STEP_RESULT_PATH', '/tmp/result.json')
STATUSES = ('SUCCESS', 'PARTIAL', 'FAILURE')


def overall(statuses):
    """One status for many files: all alike gives that status, a mix gives PARTIAL, none gives FAILURE."""
    distinct = set(statuses)
    if not distinct:
        return 'FAILURE'
    return distinct.pop() if len(distinct) == 1 else 'PARTIAL'


def write_result(status, message, files=None):
    """Writes the step result atomically; Argo reads it into the output parameter `result`."""
    files = dict(files or {})
    for value in [status, *files.values()]:
        if value not in STATUSES:
            raise ValueError('not a step status: %r' % (value,))
    partial = RESULT_PATH + '.partial'
    with open(partial, 'w', encoding='utf-8') as out:
        json.dump({'status': status, 'message': str(message)[:2000], 'files': files}, out, ensure_ascii=False)
    os.replace(partial, RESULT_PATH)
# --- end of step result helper ---

# Processing steps read /input and write /output; later steps and write-files see only this
# step's /output, so a step passes on what it received. The shipped processing templates carry
# this block verbatim too; `run(summarize)` calls summarize(key, path) -> (status, note) for
# every input file of the run and writes the step result.
# --- step files helper ---
import shutil

INPUT = os.environ.get('INPUT_DIR', '/input')
OUTPUT = os.environ.get('OUTPUT_DIR', '/output')
KEYS = [entry['key'] for entry in json.loads(os.environ.get('FILES') or '[]')]


def pass_on():
    """Copies every regular file of /input to /output (never following symlinks)."""
    for root, dirs, names in os.walk(INPUT):
        target = os.path.join(OUTPUT, os.path.relpath(root, INPUT))
        os.makedirs(target, exist_ok=True)
        for name in names:
            source = os.path.join(root, name)
            if os.path.isfile(source) and not os.path.islink(source):
                shutil.copyfile(source, os.path.join(target, name))


def input_path(key):
    """Where an input file of the run is in /input, or None when it is not there (or escapes it)."""
    relative = os.path.normpath(key)
    if os.path.isabs(relative) or relative.split(os.sep)[0] == '..':
        return None
    path = os.path.join(INPUT, relative)
    return path if os.path.isfile(path) and not os.path.islink(path) else None


def output_path(key, suffix):
    """A result's path in /output: the input's key plus a suffix, so results sit next to their input."""
    target = os.path.join(OUTPUT, *key.split('/')) + suffix
    os.makedirs(os.path.dirname(target), exist_ok=True)
    return target


def run(summarize):
    pass_on()
    statuses, notes = {}, []
    for key in KEYS:
        path = input_path(key)
        try:
            statuses[key], note = summarize(key, path) if path else ('FAILURE', 'not found in /input')
        except Exception as error:  # one unreadable file must not hide the others' results
            statuses[key], note = 'FAILURE', 'could not be processed: %s' % error
        notes.append('%s: %s' % (json.dumps(key, ensure_ascii=False), note))
        print(notes[-1], flush=True)
    write_result(overall(statuses.values()), '; '.join(notes) or 'no input files', statuses)
# --- end of step files helper ---
