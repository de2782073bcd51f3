"""The action server: rasa-sdk's own, in a process kept free of TensorFlow.

The actions run no neural network, but spaCy's thinc (which the reading
uses) imports TensorFlow whenever it is installed: 350 MB resident for
nothing. Run as `python -m assistant.tools.action_server --actions actions
--port 5055`, with rasa-sdk's arguments.
"""

import sys

sys.modules["tensorflow"] = None  # type: ignore[assignment]  # "not installed" to whoever asks

from rasa_sdk.__main__ import main  # noqa: E402

if __name__ == "__main__":
    main()
