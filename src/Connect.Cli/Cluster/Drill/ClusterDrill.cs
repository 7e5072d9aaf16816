namespace Connect.Cli.Cluster.Drill;

/// <summary>
/// <c>cluster drill</c>: runs signed <c>/revoke-all</c> load through the front of a running cluster and, in
/// turn, injects each fault; after each it waits for the cluster to be whole again and judges the recorded
/// answers against the database.
/// </summary>
internal sealed class ClusterDrill(ClusterLayout layout, IMediator mediator, ISessionStore sessions, DrillOptions options, TextWriter progress)
{
    public const int SessionsPerAccount = 2;

    // Each refresh client is visited every few seconds, so a retry after a lost answer comes well within the
    // grace window even when a failover keeps it failing for twenty seconds first.
    private const int SecondsBetweenVisits = 5;

    // Signals of the last phase's revocations are owed after its load stops: a retry backs off at most a few
    // seconds at the drill's rates, so two minutes is generous without hiding a lost signal.
    private static readonly TimeSpan SignalWait = TimeSpan.FromMinutes(2);

    public async Task<DrillResult> RunAsync(CancellationToken cancellationToken)
    {
        _ = ClusterState.ReadRunning(layout) ?? throw new ClusterException("no cluster is running here; start one with ./connect cluster up");
        await WaitUntilWholeAsync(cancellationToken);
        using var key = RSA.Create(2048);
        var revokeRate = Math.Max(1, options.RatePerSecond / 2);
        var refreshRate = Math.Max(1, options.RatePerSecond - revokeRate);
        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2) })
        {
            BaseAddress = new Uri(ClusterLayout.FrontUrl),
            Timeout = TimeSpan.FromSeconds(20),
        };
        var anchor = $"drill-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}-{RandomNumberGenerator.GetHexString(4, lowercase: true)}";
        var drillClock = Stopwatch.StartNew();
        await using var receiver = DrillSignalReceiver.Start(anchor, http, drillClock);
        var application = await PrepareAsync(anchor, key, receiver, cancellationToken);
        var clients = await PrepareRefreshClientsAsync(application, Math.Clamp(refreshRate * SecondsBetweenVisits, 4, 1000), cancellationToken);
        var revokedSoFar = new int[application.Accounts.Count];

        var phases = new List<DrillPhaseReport>();
        var revocations = new List<DrillAnswer>();
        foreach (var fault in DrillFault.All.Where(f => options.Faults.Contains(f.Name)))
        {
            await progress.WriteLineAsync($"connect: drill: {fault.Description}");
            var clock = Stopwatch.StartNew();
            var load = new RevokeAllLoad(http, application, revokeRate);
            var refreshes = new RefreshLoad(http, clients, refreshRate);
            using var stopLoad = new CancellationTokenSource();
            var running = Task.WhenAll(load.RunAsync(clock, stopLoad.Token), refreshes.RunAsync(clock, stopLoad.Token));

            await Task.Delay(options.Steady, cancellationToken);
            var faultAt = clock.Elapsed.TotalSeconds;
            await ExplainedByTheMonitorAsync(async () =>
            {
                await fault.InjectAsync(layout, cancellationToken);
                await WaitUntilWholeAsync(cancellationToken);
            }, cancellationToken);
            await Task.Delay(options.Steady, cancellationToken);
            await stopLoad.CancelAsync();
            await running;
            revocations.AddRange(load.Answers);

            var report = await DrillPhaseReport.JudgeAsync(
                fault.Name, faultAt, [.. load.Answers, .. refreshes.Answers], application, revokedSoFar, clients, mediator, sessions, http, cancellationToken);
            phases.Add(report);
            await progress.WriteLineAsync($"connect: drill: {fault.Name} {(report.Passed ? "passed" : "FAILED")}");
        }

        await progress.WriteLineAsync("connect: drill: waiting for every answered revocation's logout token at the receiver");
        var signals = await DrillSignalReport.JudgeAsync(application, revocations, receiver, drillClock, SignalWait, cancellationToken);
        await progress.WriteLineAsync($"connect: drill: signals {(signals.Passed ? "passed" : "FAILED")}");
        return new DrillResult(phases.All(p => p.Passed) && signals.Passed, options.RatePerSecond, application.Accounts.Count, phases, signals);
    }

    /// <summary>
    /// A fault the cluster did not recover from is reported with what the monitor decided meanwhile: its last
    /// events say which state change it waited for, and why.
    /// </summary>
    private async Task ExplainedByTheMonitorAsync(Func<Task> recovery, CancellationToken cancellationToken)
    {
        try
        {
            await recovery();
        }
        catch (ClusterException exception)
        {
            var events = await new PgAutoctl(layout).ShowEventsAsync(20, cancellationToken);
            throw new ClusterException(
                $"{exception.Message}{Environment.NewLine}the monitor's last events:{Environment.NewLine}{events}{Environment.NewLine}logs in {layout.LogDirectory}");
        }
    }

    /// <summary>A primary, a synchronous standby that can take over, every instance healthy and the front answering.</summary>
    private async Task WaitUntilWholeAsync(CancellationToken cancellationToken)
    {
        await DrillWait.UntilAsync(
            "the cluster is whole again (a primary, a standby that can take over, every instance healthy)",
            async () =>
            {
                if (!DrillFault.StandbyCanTakeOver(await new PgAutoctl(layout).ShowStateAsync(cancellationToken)))
                {
                    return false;
                }

                var status = await ClusterStatus.ReadAsync(layout, cancellationToken);
                return status.Instances.All(i => i.Healthy);
            },
            TimeSpan.FromMinutes(4),
            cancellationToken);
    }

    private async Task<DrillApplication> PrepareAsync(string anchor, RSA key, DrillSignalReceiver receiver, CancellationToken cancellationToken)
    {
        var registered = Expect(await mediator.Send(new RegisterApplicationCommand(anchor, key.ExportSubjectPublicKeyInfoPem(), Sector: null), cancellationToken));
        Expect(await mediator.Send(new AddSignalReceiverCommand(anchor, receiver.Url, "backchannel-logout"), cancellationToken));
        var accounts = new DrillAccount[options.Accounts];
        await Parallel.ForAsync(0, options.Accounts, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (index, token) =>
        {
            var account = Expect(await mediator.Send(new CreateAccountCommand(), token)).Account;
            var subject = Expect(await mediator.Send(new IssueSubjectCommand(account, anchor), token)).Subject;
            Expect(await mediator.Send(new IssueSessionsCommand(account, anchor, SessionsPerAccount, IssueSessionsCommand.DefaultExpiresInSeconds), token));
            accounts[index] = new DrillAccount(index, account, subject.Value, SessionsPerAccount);
        });
        await progress.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture, $"connect: drill: application {anchor}, {options.Accounts} accounts with {SessionsPerAccount} sessions each, {options.RatePerSecond} requests/s"));
        return new DrillApplication(anchor, registered.KeyId.Value, key, accounts);
    }

    /// <summary>One more account of the drill's application, with the sessions the refresh load drives, one client each.</summary>
    private async Task<IReadOnlyList<DrillSessionClient>> PrepareRefreshClientsAsync(DrillApplication application, int count, CancellationToken cancellationToken)
    {
        var account = Expect(await mediator.Send(new CreateAccountCommand(), cancellationToken)).Account;
        var issued = Expect(await mediator.Send(new IssueSessionsCommand(account, application.Anchor, count, IssueSessionsCommand.DefaultExpiresInSeconds), cancellationToken));
        await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"connect: drill: {count} more sessions, each refreshed by its own client"));
        return [.. issued.Sessions.Select((session, index) => new DrillSessionClient(index, session.SessionId, session.RefreshToken))];
    }

    private static T Expect<T>(AdministrationOutcome<T> outcome) =>
        outcome.Succeeded ? outcome.Value : throw new ClusterException($"drill setup failed: {outcome.Failure.Message}");
}

/// <param name="Steady">Load before each fault and after the cluster is whole again.</param>
internal sealed record DrillOptions(int RatePerSecond, int Accounts, TimeSpan Steady, IReadOnlySet<string> Faults);

internal sealed record DrillResult(
    bool Passed, int RatePerSecond, int Accounts, IReadOnlyList<DrillPhaseReport> Phases, DrillSignalReport Signals)
{
    /// <summary>The table a person reads; the same figures go out as JSON.</summary>
    public string Table()
    {
        var text = new StringBuilder();
        text.AppendLine("fault            sent  ok    503   refused  other  longest-fail-s  first-ok-after-s  lost  wrong-count  double  theft  verdict");
        foreach (var p in Phases)
        {
            var ok = p.Answers.Where(a => a.Key.StartsWith("200", StringComparison.Ordinal)).Sum(a => a.Value);
            var unavailable = p.Answers.Where(a => a.Key.StartsWith("503", StringComparison.Ordinal)).Sum(a => a.Value);
            var refused = p.Answers.GetValueOrDefault("refused");
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{p.Fault,-16} {p.RequestsSent,5} {ok,5} {unavailable,5} {refused,8} {p.RequestsSent - ok - unavailable - refused,6} {p.LongestFailureRunSeconds,15:0.00} {(p.FirstSuccessAfterFaultSeconds is { } s ? s.ToString("0.00", CultureInfo.InvariantCulture) : "-"),17} {p.LostWrites,5} {p.WrongCounts,12} {p.DoubleHonours,7} {p.TakenForTheft,6}  {(p.Passed ? "pass" : "FAIL")}"));
        }

        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"signals: {Signals.Owed} owed, {Signals.Missing} missing, {Signals.Received} received ({Signals.Duplicates} duplicates), {Signals.Refused} refused; last {(Signals.SecondsToLastAfterLoad is { } last ? last.ToString("0.00", CultureInfo.InvariantCulture) : "-")} s after the load  {(Signals.Passed ? "pass" : "FAIL")}"));
        return text.ToString();
    }
}
