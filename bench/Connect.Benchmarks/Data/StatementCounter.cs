using Npgsql;

namespace Connect.Benchmarks.Data;

/// <summary>
/// Counts the statements the service ran, from pg_stat_statements, filtered to its database and its own role:
/// the harness's own queries (re-arming, read-backs, these snapshots) run as another role and never count.
/// pg_stat_statements is updated as each statement ends, so a snapshot right after the load is complete.
/// </summary>
internal sealed class StatementCounter(string adminConnectionString, uint database, uint role)
{
    public async Task<Dictionary<string, long>> SnapshotAsync(CancellationToken cancellationToken)
    {
        const string sql = "SELECT query, calls FROM pg_stat_statements WHERE dbid = @database AND userid = @role";
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("database", NpgsqlTypes.NpgsqlDbType.Oid, database);
        command.Parameters.AddWithValue("role", NpgsqlTypes.NpgsqlDbType.Oid, role);
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var query = Normalize(reader.GetString(0));
            calls[query] = calls.GetValueOrDefault(query) + reader.GetInt64(1);
        }

        return calls;
    }

    public static Dictionary<string, long> Delta(Dictionary<string, long> before, Dictionary<string, long> after) =>
        after.Select(pair => (pair.Key, Calls: pair.Value - before.GetValueOrDefault(pair.Key)))
            .Where(pair => pair.Calls > 0)
            .ToDictionary(pair => pair.Key, pair => pair.Calls, StringComparer.Ordinal);

    /// <summary>One line, single spaces: the statements' texts are multi-line constants.</summary>
    private static string Normalize(string query) =>
        string.Join(' ', query.Split((char[])['\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
}
