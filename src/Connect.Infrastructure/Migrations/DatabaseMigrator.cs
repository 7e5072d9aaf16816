using DbUp;
using DbUp.Engine;

namespace Connect.Infrastructure.Migrations;

/// <summary>
/// Applies the numbered SQL files embedded in this assembly, each once and in order, recording them in
/// <c>schemaversions</c>. A file that has landed is never edited: a change is a new file.
/// </summary>
public static class DatabaseMigrator
{
    /// <returns>The names of the scripts this call applied (empty when the schema was current).</returns>
    /// <exception cref="InvalidOperationException">A script failed; the message names it.</exception>
    public static IReadOnlyList<string> Migrate(string connectionString)
    {
        var upgrader = DeployChanges.To
            .PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(typeof(DatabaseMigrator).Assembly, name => name.EndsWith(".sql", StringComparison.Ordinal))
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
}
