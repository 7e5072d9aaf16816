using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Connect.Application.Administration;
using Connect.Application.Administration.CreateAccount;
using Connect.Application.Administration.IssueSessions;
using Connect.Application.Administration.IssueSubject;
using Connect.Application.Administration.RegisterApplication;
using MediatR;

namespace Connect.Cli.Cluster.Drill;

/// <summary>
/// <c>cluster drill</c>: runs signed <c>/revoke-all</c> load through the front of a running cluster and, in
/// turn, injects each fault; after each it waits for the cluster to be whole again and judges the recorded
/// answers against the database.
/// </summary>
internal sealed class ClusterDrill(ClusterLayout layout, IMediator mediator, DrillOptions options, TextWriter progress)
{
    public const int SessionsPerAccount = 2;

    public async Task<DrillResult> RunAsync(CancellationToken cancellationToken)
    {
        _ = ClusterState.ReadRunning(layout) ?? throw new ClusterException("no cluster is running here; start one with ./connect cluster up");
        await WaitUntilWholeAsync(cancellationToken);
        using var key = RSA.Create(2048);
        var application = await PrepareAsync(key, cancellationToken);
        var revokedSoFar = new int[application.Accounts.Count];

        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2) })
        {
            BaseAddress = new Uri(ClusterLayout.FrontUrl),
            Timeout = TimeSpan.FromSeconds(20),
        };
        var phases = new List<DrillPhaseReport>();
        foreach (var fault in DrillFault.All.Where(f => options.Faults.Contains(f.Name)))
        {
            await progress.WriteLineAsync($"connect: drill: {fault.Description}");
            var clock = Stopwatch.StartNew();
            var load = new RevokeAllLoad(http, application, options.RatePerSecond);
            using var stopLoad = new CancellationTokenSource();
            var running = load.RunAsync(clock, stopLoad.Token);

            await Task.Delay(options.Steady, cancellationToken);
            var faultAt = clock.Elapsed.TotalSeconds;
            await fault.InjectAsync(layout, cancellationToken);
            await WaitUntilWholeAsync(cancellationToken);
            await Task.Delay(options.Steady, cancellationToken);
            await stopLoad.CancelAsync();
            await running;

            var report = await DrillPhaseReport.JudgeAsync(fault.Name, faultAt, load.Answers, application, revokedSoFar, mediator, http, cancellationToken);
            phases.Add(report);
            await progress.WriteLineAsync($"connect: drill: {fault.Name} {(report.Passed ? "passed" : "FAILED")}");
        }

        return new DrillResult(phases.All(p => p.Passed), options.RatePerSecond, application.Accounts.Count, phases);
    }

    /// <summary>A primary, a synchronous standby, every instance healthy and the front answering.</summary>
    private async Task WaitUntilWholeAsync(CancellationToken cancellationToken)
    {
        await DrillWait.UntilAsync(
            "the cluster is whole again (a primary, its standby, every instance healthy)",
            async () =>
            {
                var nodes = await new PgAutoctl(layout).ShowStateAsync(cancellationToken);
                if (nodes.Count(n => n.Role == "primary" && n.ReportedState == "primary") != 1 || nodes.Count(n => n.Role == "secondary") != 1)
                {
                    return false;
                }

                var status = await ClusterStatus.ReadAsync(layout, cancellationToken);
                return status.Instances.All(i => i.Healthy);
            },
            TimeSpan.FromMinutes(4),
            cancellationToken);
    }

    private async Task<DrillApplication> PrepareAsync(RSA key, CancellationToken cancellationToken)
    {
        var anchor = $"drill-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}-{RandomNumberGenerator.GetHexString(4, lowercase: true)}";
        var registered = Expect(await mediator.Send(new RegisterApplicationCommand(anchor, key.ExportSubjectPublicKeyInfoPem(), Sector: null), cancellationToken));
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

    private static T Expect<T>(AdministrationOutcome<T> outcome) =>
        outcome.Succeeded ? outcome.Value : throw new ClusterException($"drill setup failed: {outcome.Failure.Message}");
}

/// <param name="Steady">Load before each fault and after the cluster is whole again.</param>
internal sealed record DrillOptions(int RatePerSecond, int Accounts, TimeSpan Steady, IReadOnlySet<string> Faults);

internal sealed record DrillResult(bool Passed, int RatePerSecond, int Accounts, IReadOnlyList<DrillPhaseReport> Phases)
{
    /// <summary>The table a person reads; the same figures go out as JSON.</summary>
    public string Table()
    {
        var text = new StringBuilder();
        text.AppendLine("fault            sent  ok    503   refused  other  longest-fail-s  first-ok-after-s  lost  wrong-count  double  verdict");
        foreach (var p in Phases)
        {
            var ok = p.Answers.Where(a => a.Key.StartsWith("200", StringComparison.Ordinal)).Sum(a => a.Value);
            var unavailable = p.Answers.Where(a => a.Key.StartsWith("503", StringComparison.Ordinal)).Sum(a => a.Value);
            var refused = p.Answers.GetValueOrDefault("refused");
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{p.Fault,-16} {p.RequestsSent,5} {ok,5} {unavailable,5} {refused,8} {p.RequestsSent - ok - unavailable - refused,6} {p.LongestFailureRunSeconds,15:0.00} {(p.FirstSuccessAfterFaultSeconds is { } s ? s.ToString("0.00", CultureInfo.InvariantCulture) : "-"),17} {p.LostWrites,5} {p.WrongCounts,12} {p.DoubleHonours,7}  {(p.Passed ? "pass" : "FAIL")}"));
        }

        return text.ToString();
    }
}
