namespace Connect.Cli.Cluster.Drill;

/// <summary>
/// What one fault did to the load, judged against the database afterwards. Passes when nothing answered
/// 200 was lost, nothing was honoured twice, no honest client's session was taken for stolen, and every failure
/// was a 503 with Retry-After or a refused connection.
/// </summary>
/// <param name="DisallowedDetails">Each kind of disallowed failure by endpoint, with what the client saw.</param>
/// <param name="TakenForTheft">Sessions revoked although their client only ever presented the refresh token it was
/// last given (or, after a lost answer, the one before it): a retry that should have adopted.</param>
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
    IReadOnlyDictionary<string, int> DisallowedDetails,
    int TakenForTheft,
    bool Passed)
{
    /// <summary>
    /// Reads the sessions of every account and session the loads touched, and replays a sample of honoured
    /// revocations.
    /// </summary>
    public static async Task<DrillPhaseReport> JudgeAsync(
        string fault,
        double faultAt,
        IReadOnlyCollection<DrillAnswer> answers,
        DrillApplication application,
        int[] revokedSoFar,
        IReadOnlyList<DrillSessionClient> clients,
        IMediator mediator,
        ISessionStore sessions,
        HttpClient http,
        CancellationToken cancellationToken)
    {
        var ordered = answers.OrderBy(a => a.SentAt).ToList();
        var revocations = ordered.Where(a => a.Endpoint == "revoke-all").ToList();

        // Lost writes: an account whose revocation was answered 200 but that still has an active session.
        // Wrong counts: the 200s for an account report more sessions ended than were, or (when none of its
        // requests could have taken effect unseen) fewer.
        var lostWrites = 0;
        var wrongCounts = 0;
        foreach (var group in revocations.GroupBy(a => a.Target))
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
        // (Refresh answers are not replayed: presenting a consumed refresh token again is reuse, which the contract
        // answers by revoking the session.)
        var replays = revocations.Where(a => a.Succeeded).TakeLast(50).ToList();
        var doubleHonours = 0;
        foreach (var honoured in replays)
        {
            var (status, _, _, _, _) = await RevokeAllLoad.SendAsync(http, honoured.Request);
            if (status == 200)
            {
                doubleHonours++;
            }
        }

        var (lostRotations, doubleRotations, takenForTheft) = await JudgeRefreshesAsync(ordered, clients, sessions, cancellationToken);
        lostWrites += lostRotations;
        doubleHonours += doubleRotations;

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
            ordered.Where(a => !a.Succeeded && !a.IsAllowedFailure)
                .GroupBy(a => $"{a.Endpoint} {a.Key}{(a.Status is null && a.Reason is { } detail ? $" ({detail})" : "")}")
                .ToDictionary(g => g.Key, g => g.Count()),
            takenForTheft,
            Passed: lostWrites == 0 && wrongCounts == 0 && doubleHonours == 0 && disallowed == 0 && takenForTheft == 0 && firstSuccess >= 0);
    }

    /// <summary>
    /// For every session the refresh load touched, against the session as the (new) primary holds it: a lost
    /// write is a 200 whose new refresh token the database does not know (its version not reached, or another
    /// jti at that version or as the previous one); a double honour is one presented version answered 200 with
    /// two different refresh tokens; a session revoked at all was taken for theft, since its client is honest.
    /// </summary>
    private static async Task<(int Lost, int Double, int Theft)> JudgeRefreshesAsync(
        List<DrillAnswer> ordered, IReadOnlyList<DrillSessionClient> clients, ISessionStore sessions, CancellationToken cancellationToken)
    {
        var (lost, twice, theft) = (0, 0, 0);
        foreach (var group in ordered.Where(a => a.Endpoint == "refresh").GroupBy(a => a.Target))
        {
            var client = clients[group.Key];
            var state = await AfterOutagesAsync(() => sessions.FindAsync(new SessionId(client.SessionId), cancellationToken), cancellationToken);
            var honoured = group.Where(a => a.Succeeded && a.AnsweredToken is not null).ToList();
            if (honoured.Any(a => !IsKnown(state, a)))
            {
                lost++;
            }

            if (honoured.GroupBy(a => a.PresentedVersion).Any(g => g.Select(a => a.AnsweredToken).Distinct(StringComparer.Ordinal).Count() > 1))
            {
                twice++;
            }

            if (state?.RevokedAt is not null)
            {
                theft++;
            }
        }

        return (lost, twice, theft);
    }

    private static bool IsKnown(SessionState? state, DrillAnswer honoured)
    {
        var (jti, version) = DrillRefreshToken.Read(honoured.AnsweredToken!);
        return state is not null && (state.RotationVersion > version + 1
            || (state.RotationVersion == version && state.CurrentJti == jti)
            || (state.RotationVersion == version + 1 && state.PreviousJti == jti));
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
