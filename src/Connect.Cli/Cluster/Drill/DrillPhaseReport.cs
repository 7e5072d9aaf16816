using Connect.Application.Administration;
using MediatR;
using Connect.Application.Administration.CountSessions;

namespace Connect.Cli.Cluster.Drill;

/// <summary>
/// What one fault did to the load, judged against the database afterwards. Passes when nothing answered
/// 200 was lost, nothing was honoured twice, and every failure was a 503 with Retry-After or a refused
/// connection.
/// </summary>
internal sealed record DrillPhaseReport(
    string Fault,
    double FaultAt,
    int RequestsSent,
    IReadOnlyDictionary<string, int> Answers,
    double LongestFailureRunSeconds,
    double? FirstSuccessAfterFaultSeconds,
    int LostWrites,
    int WrongCounts,
    int DoubleHonours,
    int ReplaysSent,
    int DisallowedFailures,
    bool Passed)
{
    /// <summary>Reads the sessions of every account the load touched and replays a sample of honoured requests.</summary>
    public static async Task<DrillPhaseReport> JudgeAsync(
        string fault,
        double faultAt,
        IReadOnlyCollection<DrillAnswer> answers,
        DrillApplication application,
        int[] revokedSoFar,
        IMediator mediator,
        HttpClient http,
        CancellationToken cancellationToken)
    {
        var ordered = answers.OrderBy(a => a.SentAt).ToList();

        // Lost writes: an account whose revocation was answered 200 but that still has an active session.
        // Wrong counts: the 200s for an account report more sessions ended than were, or (when none of its
        // requests could have taken effect unseen) fewer.
        var lostWrites = 0;
        var wrongCounts = 0;
        foreach (var group in ordered.GroupBy(a => a.Target))
        {
            if (!group.Any(a => a.Succeeded || a.IsAmbiguous))
            {
                continue;
            }

            var account = application.Accounts[group.Key];
            var counts = await AfterOutagesAsync(() => mediator.Send(new CountSessionsQuery(account.Account, application.Anchor), cancellationToken), cancellationToken);
            if (!counts.Succeeded)
            {
                throw new ClusterException($"could not count the sessions of a drill account: {counts.Failure.Message}");
            }

            var endedHere = counts.Value.Revoked - revokedSoFar[group.Key];
            revokedSoFar[group.Key] = counts.Value.Revoked;
            if (!group.Any(a => a.Succeeded))
            {
                continue;
            }

            if (counts.Value.Active > 0)
            {
                lostWrites++;
            }

            // Earlier phases may have ended some of this account's sessions: compare with what this phase
            // ended, exactly when no answer of this account was lost, else as an upper bound.
            var answered = group.Where(a => a.Succeeded).Sum(a => a.Result ?? 0);
            if (answered > endedHere || (!group.Any(a => a.IsAmbiguous) && answered != endedHere))
            {
                wrongCounts++;
            }
        }

        // Double honours: the same signed request sent again must be refused as a replay, on whichever
        // instance and primary it now reaches; the replay record must have survived the fault.
        var replays = ordered.Where(a => a.Succeeded).TakeLast(50).ToList();
        var doubleHonours = 0;
        foreach (var honoured in replays)
        {
            var (status, _, _, _, _) = await RevokeAllLoad.SendAsync(http, honoured.Request);
            if (status == 200)
            {
                doubleHonours++;
            }
        }

        var disallowed = ordered.Count(a => !a.Succeeded && !a.IsAllowedFailure);
        var firstSuccess = ordered.Where(a => a.Succeeded && a.SentAt >= faultAt).Select(a => a.AnsweredAt - faultAt).DefaultIfEmpty(-1).Min();
        return new DrillPhaseReport(
            fault,
            Math.Round(faultAt, 2),
            ordered.Count,
            ordered.GroupBy(a => a.Key).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            Math.Round(LongestFailureRun(ordered), 2),
            firstSuccess < 0 ? null : Math.Round(firstSuccess, 2),
            lostWrites,
            wrongCounts,
            doubleHonours,
            replays.Count,
            disallowed,
            Passed: lostWrites == 0 && wrongCounts == 0 && doubleHonours == 0 && disallowed == 0 && firstSuccess >= 0);
    }

    /// <summary>
    /// The drill's own reads meet the fault too: a pooled connection to a primary that was killed fails once
    /// and is dropped from the pool, so a read that failed for an outage is tried again.
    /// </summary>
    private static async Task<T> AfterOutagesAsync<T>(Func<Task<T>> read, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await read();
            }
            catch (Npgsql.NpgsqlException e) when (attempt < 20 && (Connect.Infrastructure.Postgres.PostgresOutages.IsOutage(e) || e is Npgsql.PostgresException { SqlState: ['5', '7', 'P', ..] }))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            }
        }
    }

    /// <summary>From the first failed request of a run to the next request that succeeded, in seconds.</summary>
    private static double LongestFailureRun(List<DrillAnswer> ordered)
    {
        var longest = 0.0;
        double? runStart = null;
        foreach (var answer in ordered)
        {
            if (!answer.Succeeded)
            {
                runStart ??= answer.SentAt;
            }
            else if (runStart is { } start)
            {
                longest = Math.Max(longest, answer.SentAt - start);
                runStart = null;
            }
        }

        return runStart is { } open ? Math.Max(longest, ordered[^1].SentAt - open) : longest;
    }
}
