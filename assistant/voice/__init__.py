"""Speech in and speech out, offline: faster-whisper (Whisper tiny.en from a
hash-pinned PyPI package) with a prompt of the knowledge base's words, a
neural Piper voice for the replies, said in short parts (spoken.py), and
ffmpeg for any audio format people send."""
