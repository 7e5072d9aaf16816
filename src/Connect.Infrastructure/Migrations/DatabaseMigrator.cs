namespace Connect.Infrastructure.Migrations;

/// <summary>
/// Applies the numbered SQL files embedded in this assembly, each once and in order, recording them in
/// <c>schemaversions</c>. A file that has landed is never edited: a change is a new file.
/// </summary>
public static class DatabaseMigrator
{
    /// <returns>The names of the scripts this call applied (empty when the schema was current).</returns>
    /// <exception cref="InvalidOperationException">A script failed; the message names it.</exception>
    public static IReadOnlyList<string> Migrate(string connectionString) => Migrate(connectionString, through: null);

    /// <summary>
    /// Applies the scripts up to and including the one whose file name starts with <paramref name="through"/>
    /// (e.g. <c>"0003"</c>), so that a test can build the schema as an older release left it.
    /// </summary>
    internal static IReadOnlyList<string> Migrate(string connectionString, string? through)
    {
        var upgrader = DeployChanges.To
            .PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(
                typeof(DatabaseMigrator).Assembly,
                name => name.EndsWith(".sql", StringComparison.Ordinal) && (through is null || IsAtMost(name, through)))
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build();

        DatabaseUpgradeResult result = upgrader.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException(
                $"Migration {result.ErrorScript?.Name ?? "(unknown)"} failed: {result.Error?.Message}", result.Error);
        }

        return result.Scripts.Select(script => script.Name).ToList();
    }

    // Embedded names look like "Connect.Infrastructure.Migrations.0004_sessions.sql"; numbers are zero-padded.
    private static bool IsAtMost(string name, string through)
    {
        var file = name[(name.LastIndexOf("Migrations.", StringComparison.Ordinal) + "Migrations.".Length)..];
        return string.CompareOrdinal(file[..through.Length], through) <= 0;
    }
}
