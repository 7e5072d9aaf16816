namespace Connect.Cli;

/// <summary>
/// The whole command line, with its output streams and configuration passed in so that tests run it in-process.
/// Every command prints one JSON object on stdout and exits 0, or one line on stderr and exits non-zero.
/// </summary>
internal static class ConnectCli
{
    // PostgreSQL's undefined_table: the database exists but was never migrated.
    private const string UndefinedTable = "42P01";

    // 128 + SIGINT, as shells report a process stopped by Ctrl-C.
    private const int Interrupted = 130;

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(90);

    public static async Task<int> RunAsync(
        IReadOnlyList<string> args,
        TextWriter stdout,
        TextWriter stderr,
        IConfiguration configuration,
        CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("Connect: the identity-session service and its operator commands.")
        {
            ServiceCommands.Up(configuration),
            ServiceCommands.Migrate(configuration),
            SectorCommands.Group(configuration),
            ApplicationCommands.Group(configuration),
            AccountCommands.AccountGroup(configuration),
            AccountCommands.SubjectGroup(configuration),
            SessionCommands.Group(configuration),
            InquiryCommands.Group(configuration),
            SignalCommands.Group(configuration),
            AuditCommands.Audit(configuration),
            ClusterCommands.Group(configuration),
        };

        // An argument starting with @ is a value (an anchor, a path), never a response file to expand.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });

        // The library's own error action would print the help text to stdout; one line on stderr is the contract.
        if (parse.Action is ParseErrorAction)
        {
            // A stray word explains more than the "required command" error it also causes.
            var message = parse.UnmatchedTokens.Count > 0
                ? $"unrecognized command or argument '{parse.UnmatchedTokens[0]}'"
                : parse.Errors[0].Message;
            return Output.Fail(stderr, $"{message} (see --help)", Output.UsageError);
        }

        try
        {
            var invocation = new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
                // After Ctrl-C or SIGTERM a command gets this long to stop what it started (cluster up stops three
                // instances and three PostgreSQL servers) before the process exits anyway.
                ProcessTerminationTimeout = StopTimeout,
            };
            if (ServiceCommands.HandlesStopSignals(parse))
            {
                // `up` handles the signals itself and stops its database however long that takes.
                invocation.ProcessTerminationTimeout = null;
            }

            return await parse.InvokeAsync(invocation, cancellationToken);
        }
        catch (LocalPostgresException exception)
        {
            return Output.Fail(stderr, exception.Message);
        }
        catch (SigningKeysUnavailableException exception)
        {
            return Output.Fail(stderr, exception.Message);
        }
        catch (ClusterException exception)
        {
            return Output.Fail(stderr, exception.Message);
        }
        catch (PostgresException exception) when (exception.SqlState == UndefinedTable)
        {
            return Output.Fail(stderr, "the database has no Connect schema yet; run ./connect migrate first");
        }
        catch (NpgsqlException exception)
        {
            return Output.Fail(stderr, $"the database could not be reached or refused the command: {exception.Message}");
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C: every change is one statement, so it either happened or did not.
            return Output.Fail(stderr, "interrupted", Interrupted);
        }
    }
}
