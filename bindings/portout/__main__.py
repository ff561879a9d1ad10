from portout.cli import run

run()
