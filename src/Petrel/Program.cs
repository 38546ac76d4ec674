return Petrel.Cli.PetrelCli.Run(args);
