namespace Connect.Cli.Commands;

/// <summary><c>up</c> and <c>migrate</c>: run the service, or bring its schema up to date.</summary>
internal static class ServiceCommands
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    private const string UpName = "up";

    public static Command Migrate(IConfiguration configuration)
    {
        var command = new Command("migrate", "Apply pending migrations to the configured database and exit.");
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var database = await ConnectDatabase.OpenAsync(configuration, cancellationToken);
            var applied = DatabaseMigrator.Migrate(database.MigrationConnectionString);
            return Output.Json(parse, new { applied });
        });
        return command;
    }

    public static Command Up(IConfiguration configuration)
    {
        var demo = new Option<bool>("--demo") { Description = "Also register a demo application and show a real signed revocation." };
        var command = new Command(UpName, $"Start the database, apply migrations and serve the API on {DefaultUrl} until Ctrl-C.")
        {
            demo,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            // Declared in this order so that they are disposed in reverse: the service (and its connection pool)
            // first, then the database it used, which stops the embedded cluster if this process started it,
            // while Ctrl-C and SIGTERM are still ours (a second Ctrl-C must not cut that short).
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var signals = StopSignals.Register(stopping);
            await using var database = await ConnectDatabase.OpenAsync(configuration, stopping.Token);
            DatabaseMigrator.Migrate(database.MigrationConnectionString);

            await using var app = ConnectWebApplication.Create([], builder =>
            {
                foreach (var (key, value) in database.Settings(configuration))
                {
                    builder.Configuration[key] = value;
                }

                if (string.IsNullOrEmpty(builder.Configuration["Urls"]))
                {
                    builder.Configuration["Urls"] = DefaultUrl;
                }
            }, contentRoot: AppContext.BaseDirectory);

            if (await ConnectWebApplication.FindStartProblemAsync(app, stopping.Token) is { } problem)
            {
                return Output.Fail(parse, problem);
            }

            await app.StartAsync(stopping.Token);
            await Console.Error.WriteLineAsync(
                $"connect: serving on {string.Join(", ", app.Urls)} with {database.Description}; Ctrl-C stops.");
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            Task signingIn = Task.CompletedTask;
            if (parse.GetValue(demo))
            {
                using var revokeAll = new RevokeAllDemo(
                    app.Services.GetRequiredService<IMediator>(), http, TimeProvider.System, parse.InvocationConfiguration.Output);
                await revokeAll.RunAsync(stopping.Token);
                var signIn = new SignInDemo(
                    http,
                    TimeProvider.System,
                    parse.InvocationConfiguration.Output,
                    app.Services.GetRequiredService<IOptions<PasskeyOptions>>().Value.EffectivePublicUrl);
                var inquiry = await signIn.EstablishAsync(revokeAll.Registered!, stopping.Token);
                // The person signs in whenever they like; the service serves meanwhile, and Ctrl-C ends the wait.
                signingIn = WaitForSignInAsync(signIn, inquiry, stopping.Token);
                await Console.Error.WriteLineAsync("connect: demo done setting up; open the sign-in URL above. The service keeps serving until Ctrl-C.");
            }

            await app.WaitForShutdownAsync(stopping.Token);
            await signingIn;
            await Console.Error.WriteLineAsync(database.StopsOnDispose
                ? "connect: service stopped; stopping the embedded PostgreSQL it started."
                : "connect: service stopped.");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Whether the command stops on Ctrl-C and SIGTERM by itself (<see cref="StopSignals"/>): the command
    /// line library must then not end the process while it is still stopping what it started.
    /// </summary>
    public static bool HandlesStopSignals(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        // Only the top-level `up`: `cluster up` stops what it started through the library's cancellation.
        return parse.CommandResult.Command.Name == UpName && parse.CommandResult.Parent is CommandResult { Command: RootCommand };
    }

    private static async Task WaitForSignInAsync(SignInDemo demo, DemoInquiry inquiry, CancellationToken stopping)
    {
        try
        {
            await demo.RedeemWhenRealizedAsync(inquiry, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Ctrl-C before anyone signed in: nothing to say.
        }
        catch (HttpRequestException failure)
        {
            await Console.Error.WriteLineAsync($"connect: the sign-in demo stopped polling: {failure.Message}");
        }
    }
}
