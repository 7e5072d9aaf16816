var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
return await ConnectCli.RunAsync(args, Console.Out, Console.Error, configuration);
