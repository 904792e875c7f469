from hitcircle.cli.main import main

main()
