"""The HTTP service: an API over the same pipeline and store as `nianbao run`, sign-in with
tokens, and a Dramatiq task queue on Redis feeding `nianbao worker` processes."""
