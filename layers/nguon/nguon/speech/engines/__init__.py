"""Speech engines behind one interface (:mod:`nguon.speech.engines.base`): espeak-ng in-process,
Amazon Polly, and FPT.AI's neural voices over HTTP."""
