Petrel.Daemon.DaemonJit.EnsureSteadyStateCode(args);
return Petrel.Cli.PetrelCli.Run(args);
