using System.Reflection;

namespace Connect.Cli.Tests;

/// <summary>
/// When the cluster tests are skipped and what they say then, judged against a folder that stands for the machine's
/// root, so that the skip is checked without uninstalling anything.
/// </summary>
public sealed class ClusterFactAttributeTests : IDisposable
{
    private static readonly string[] PackageFiles =
    [
        "usr/share/postgresql/15/extension/pgautofailover.control",
        "usr/bin/pg_autoctl",
        "usr/sbin/haproxy",
    ];

    private readonly string root = Directory.CreateTempSubdirectory("connect-cluster-root-").FullName;

    [Fact]
    public void Without_the_packages_and_without_root_the_reason_names_each_missing_program_and_the_apt_get_line()
    {
        var reason = ClusterAvailability.SkipReasonFor(privileged: false, "15", root);

        Assert.NotNull(reason);
        Assert.Contains("/usr/share/postgresql/15/extension/pgautofailover.control (postgresql-15-auto-failover)", reason, StringComparison.Ordinal);
        Assert.Contains("/usr/bin/pg_autoctl (pg-auto-failover-cli)", reason, StringComparison.Ordinal);
        Assert.Contains("/usr/sbin/haproxy (haproxy)", reason, StringComparison.Ordinal);
        Assert.Contains("`sudo apt-get install postgresql-15-auto-failover pg-auto-failover-cli haproxy`", reason, StringComparison.Ordinal);
        Assert.Contains("run the tests as root", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_missing_package_is_named()
    {
        Install(PackageFiles[0], PackageFiles[1]);

        var reason = ClusterAvailability.SkipReasonFor(privileged: false, "15", root);

        Assert.NotNull(reason);
        Assert.Contains("/usr/sbin/haproxy (haproxy)", reason, StringComparison.Ordinal);
        Assert.Contains("`sudo apt-get install haproxy`", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("pg_autoctl (", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("auto-failover", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void With_every_package_installed_any_user_runs_the_cluster_tests()
    {
        Install(PackageFiles);

        Assert.Null(ClusterAvailability.SkipReasonFor(privileged: false, "15", root));
    }

    [Fact]
    public void Root_runs_the_cluster_tests_without_the_packages_because_cluster_up_installs_them()
    {
        Assert.Null(ClusterAvailability.SkipReasonFor(privileged: true, "15", root));
    }

    [Fact]
    public void The_attribute_skips_for_the_reason_this_machine_gives()
    {
        Assert.Equal(ClusterAvailability.SkipReason, new ClusterFactAttribute().Skip);
        Assert.Equal(ClusterAvailability.RootOnlySkipReason, new ClusterFactAttribute(rootOnly: true).Skip);
        Assert.Equal(Environment.IsPrivilegedProcess, ClusterAvailability.RootOnlySkipReason is null);
    }

    /// <summary>A test in the cluster collection marked [Fact] would pass on a machine where no cluster can run.</summary>
    [Fact]
    public void Every_test_that_needs_a_cluster_is_a_cluster_fact()
    {
        var clusterTests = typeof(ClusterFactAttributeTests).Assembly.GetTypes()
            .Where(t => t.GetCustomAttributesData().Any(a =>
                a.AttributeType == typeof(CollectionAttribute) && (string?)a.ConstructorArguments[0].Value == ClusterTopology.Name))
            .SelectMany(t => t.GetMethods())
            .Where(m => m.GetCustomAttribute<FactAttribute>() is not null)
            .ToList();

        Assert.NotEmpty(clusterTests);
        Assert.All(clusterTests, m => Assert.IsType<ClusterFactAttribute>(m.GetCustomAttribute<FactAttribute>()));
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    private void Install(params string[] files)
    {
        foreach (var file in files)
        {
            var path = Path.Combine(root, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "");
        }
    }
}
