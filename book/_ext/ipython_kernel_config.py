# Configuration of the IPython kernels that run the book's notebooks (make book, make test,
# make notebooks, make lab). The Makefile copies it into .venv/etc/ipython/, where every kernel
# started from the virtual environment reads it.
#
# ipykernel 7 logs a warning at each start when the kernel listens on TCP without CurveZMQ
# encryption. These kernels listen on 127.0.0.1 only, and a book build starts one per notebook,
# so the warning repeated a score of times on every build; errors are still logged.
c = get_config()  # noqa: F821 - provided by IPython when it loads this file
c.IPKernelApp.log_level = "ERROR"
