var app = ConnectWebApplication.Create(args);
if (await ConnectWebApplication.FindStartProblemAsync(app, CancellationToken.None) is { } problem)
{
    // One plain line and a failed exit, not a stack trace: the operator has a configuration to fix.
    await Console.Error.WriteLineAsync($"connect: {problem}");
    return 1;
}

await app.RunAsync();
return 0;

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
