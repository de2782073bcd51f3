"""Speech in and speech out, offline: pocketsphinx with a domain language
model built from the assistant's own words, espeak-ng for the replies, ffmpeg
for any audio format people send."""
