"""Speech: Vietnamese text normalisation, SSML, lexicons, engines and the Polly-shaped service."""
