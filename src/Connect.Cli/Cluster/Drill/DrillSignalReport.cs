namespace Connect.Cli.Cluster.Drill;

/// <summary>
/// Signals against answers (docs/contract/signals.md, at least once): every account whose <c>/revoke-all</c> was
/// answered with a count above zero, in any phase, must have had its subject-wide logout token verified at the
/// drill's receiver by the end, faults and all. Duplicates are allowed (an answer lost to a fault is sent again), a
/// token that does not verify is not.
/// </summary>
/// <param name="Owed">Accounts whose revocation was answered with sessions ended.</param>
/// <param name="Missing">Of those, accounts whose signal had not arrived when the wait ran out: must be 0.</param>
/// <param name="Received">Verified logout tokens, duplicates included.</param>
/// <param name="Refused">Tokens that failed verification: must be 0.</param>
/// <param name="SecondsToLastAfterLoad">From the end of the last phase's load until the last owed signal arrived.</param>
internal sealed record DrillSignalReport(int Owed, int Missing, int Received, int Duplicates, int Refused, double? SecondsToLastAfterLoad)
{
    public bool Passed => Missing == 0 && Refused == 0;

    public static async Task<DrillSignalReport> JudgeAsync(
        DrillApplication application, IEnumerable<DrillAnswer> revocations, DrillSignalReceiver receiver, Stopwatch clock,
        TimeSpan wait, CancellationToken cancellationToken)
    {
        var owed = revocations
            .Where(a => a.Endpoint == "revoke-all" && a.Status == 200 && a.Result > 0)
            .Select(a => application.Accounts[a.Target].Subject)
            .ToHashSet(StringComparer.Ordinal);
        var loadEnded = clock.Elapsed.TotalSeconds;
        var deadline = clock.Elapsed + wait;
        while (Unarrived(owed, receiver).Count > 0 && clock.Elapsed < deadline)
        {
            await Task.Delay(200, cancellationToken);
        }

        var signals = receiver.Signals.ToList();
        var missing = Unarrived(owed, receiver).Count;
        var last = signals.Where(s => owed.Contains(s.Subject)).Select(s => s.ArrivedAt).DefaultIfEmpty(loadEnded).Max();
        return new DrillSignalReport(
            owed.Count, missing, signals.Count, signals.Count - signals.Select(s => s.Subject).Distinct(StringComparer.Ordinal).Count(),
            receiver.Refused, missing == 0 ? Math.Max(0, last - loadEnded) : null);
    }

    private static HashSet<string> Unarrived(HashSet<string> owed, DrillSignalReceiver receiver)
    {
        var missing = new HashSet<string>(owed, StringComparer.Ordinal);
        missing.ExceptWith(receiver.Signals.Select(s => s.Subject));
        return missing;
    }
}
