"""Rasa's own command line, with the assistant's layer installed first.

`python -m assistant.nlp.rasa_command run --model ...` takes every argument
`rasa` takes. Installing here, before Rasa builds anything, makes the layer
independent of which channels `credentials.yml` lists, and a Rasa that
changed under the layer stops here with a message saying what changed.
"""

from __future__ import annotations

import sys

from assistant.nlp import layer


def main() -> int:
    try:
        mode = layer.install()
    except layer.RasaChanged as err:
        print(err, file=sys.stderr)
        return 2
    print(f"Rasa layer: {mode} (RASA_STOCK={'true' if mode == 'stock' else 'false'})", file=sys.stderr)
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
