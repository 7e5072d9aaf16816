using Connect.Cli.Cluster;
using Connect.Infrastructure.LocalPostgres;

namespace Connect.Cli.Tests;

/// <summary>
/// A test of a real <c>./connect cluster up</c>. Where no cluster can run it is skipped with the reason (which
/// programs are missing and how to install them), so the run reports it as not run instead of passing a test that
/// checked nothing. Root always runs it: <c>cluster up</c> installs the missing packages itself, as in CI.
/// </summary>
/// <param name="rootOnly">The test checks what only a root cluster has (programs run as postgres and haproxy, files
/// only root may change): skipped for any other user too.</param>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ClusterFactAttribute : FactAttribute
{
    public ClusterFactAttribute(bool rootOnly = false)
    {
        Skip = rootOnly ? ClusterAvailability.RootOnlySkipReason : ClusterAvailability.SkipReason;
    }
}

/// <summary>Whether a cluster can run on this machine, judged once per test run by <c>cluster up</c>'s own package check.</summary>
internal static class ClusterAvailability
{
    private static readonly Lazy<string?> Reason = new(() => MachineSkipReason(Environment.IsPrivilegedProcess));

    /// <summary>Null where a cluster can run; otherwise why not and what to install.</summary>
    public static string? SkipReason => Reason.Value;

    /// <summary>Null where the tests run as root; otherwise why a root-only cluster test has nothing to check.</summary>
    public static string? RootOnlySkipReason => Environment.IsPrivilegedProcess
        ? null
        : "runs only as root: a cluster started by any other user runs every program as that user, so there are no postgres, haproxy and root rights to check";

    private static string? MachineSkipReason(bool privileged)
    {
        if (privileged)
        {
            return null;
        }

        try
        {
            return SkipReasonFor(privileged, ClusterPackages.PostgresVersion(), "/");
        }
        catch (LocalPostgresException e)
        {
            return $"needs the PostgreSQL server programs: {e.Message}";
        }
    }

    /// <summary>
    /// The skip reason for a process that is root or not, with PostgreSQL <paramref name="postgresVersion"/> and the
    /// packages as installed below <paramref name="root"/>.
    /// </summary>
    public static string? SkipReasonFor(bool privileged, string postgresVersion, string root)
    {
        var missing = ClusterPackages.Missing(postgresVersion, root);
        if (privileged || missing.Count == 0)
        {
            return null;
        }

        var files = string.Join(", ", missing.Select(p => $"{p.File} ({p.Package})"));
        var packages = string.Join(' ', missing.Select(p => p.Package));
        return $"needs pg_auto_failover and haproxy, not found: {files}; install them with "
            + $"`sudo apt-get install {packages}`, or run the tests as root (cluster up then installs them, as in CI)";
    }
}
