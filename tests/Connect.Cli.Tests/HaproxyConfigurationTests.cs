using System.Diagnostics;
using Connect.Api.Authentication;
using Connect.Cli.Cluster;
using Connect.Infrastructure.Processes;
using Microsoft.Extensions.Configuration;

namespace Connect.Cli.Tests;

/// <summary>
/// The front of the local HA setup as generated, without starting it: haproxy names each client in
/// <c>X-Forwarded-For</c>, and the instances trust that header from haproxy's address and nobody else's, so each
/// client spends its own budget per address.
/// </summary>
public sealed class HaproxyConfigurationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("connect-haproxy-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Haproxy_adds_the_clients_address_to_every_request_in_http_mode()
    {
        var defaults = Section(Render(), "defaults");

        Assert.Contains("mode http", defaults);
        Assert.Contains("option forwardfor", defaults);
    }

    [Fact]
    public async Task Haproxy_itself_accepts_the_configuration()
    {
        if (!File.Exists("/usr/sbin/haproxy"))
        {
            return;
        }

        var errorFile = Path.Combine(_folder, "haproxy-503.http");
        await File.WriteAllTextAsync(errorFile, HaproxyConfiguration.ServiceUnavailableAnswer());
        var config = Path.Combine(_folder, "haproxy.cfg");
        await File.WriteAllTextAsync(config, HaproxyConfiguration.Render(new ClusterLayout(_folder), errorFile));

        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(
            new ProgramCommand("/usr/sbin/haproxy", ["-c", "-f", config]), CancellationToken.None);

        Assert.True(exitCode == 0, stdout + stderr);
    }

    [Fact]
    public void Every_instance_trusts_the_address_haproxy_connects_from_and_no_other()
    {
        var servers = Section(Render(), "backend instances").Where(line => line.StartsWith("server ", StringComparison.Ordinal)).ToList();

        for (var index = 0; index < ClusterLayout.InstanceCount; index++)
        {
            var environment = LocalHaCluster.InstanceEnvironment(index, "Host=127.0.0.1", "kek");
            var options = new RateLimitOptions();
            new ConfigurationBuilder()
                .AddInMemoryCollection(environment.Select(setting => KeyValuePair.Create<string, string?>(setting.Key.Replace("__", ":", StringComparison.Ordinal), setting.Value)))
                .Build()
                .GetSection(RateLimitOptions.SectionName)
                .Bind(options);

            Assert.Equal([ClusterLayout.FrontHost], options.TrustedProxies);
            Assert.Null(options.Problem());
            // haproxy reaches the instance over loopback from the same host address it listens on.
            Assert.Contains(servers, server => server.Contains($" {ClusterLayout.FrontHost}:{ClusterLayout.InstancePort(index)} ", StringComparison.Ordinal));
        }
    }

    private string Render() => HaproxyConfiguration.Render(new ClusterLayout(_folder), Path.Combine(_folder, "haproxy-503.http"));

    /// <summary>The trimmed lines of one section, from its header to the next unindented line.</summary>
    private static List<string> Section(string config, string header) =>
    [
        .. config.Split('\n')
            .SkipWhile(line => line.TrimEnd() != header)
            .Skip(1)
            .TakeWhile(line => line.Length == 0 || char.IsWhiteSpace(line[0]))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#')),
    ];
}
