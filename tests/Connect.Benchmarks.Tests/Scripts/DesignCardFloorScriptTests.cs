using Connect.Infrastructure.Processes;
using Connect.Testing;

namespace Connect.Benchmarks.Tests.Scripts;

/// <summary>
/// <c>bench/design-card-floor.sh</c>, which docs/performance.md runs to measure the design card's own floor: run as
/// the doc shows it, up to the edit (its <c>--dry-run</c>), so that a change to the service's pipeline that the script
/// no longer matches fails here rather than in the next person's bench.
/// </summary>
public sealed class DesignCardFloorScriptTests
{
    [Fact]
    public async Task Copy_loses_exactly_the_four_middlewares_and_is_removed_afterwards()
    {
        var worktreesBefore = await WorktreesAsync();

        var run = await RunAsync("--dry-run", "introspect,handwritten_introspect,pipeline,handwritten");

        Assert.True(run.ExitCode == 0, run.StandardError);
        var removed = ChangedLines(run.StandardOutput, '-');
        Assert.Contains(removed, line => line.Contains("app.UseConnectObservability();", StringComparison.Ordinal));
        Assert.Contains(removed, line => line.Contains("app.UseExceptionHandler(", StringComparison.Ordinal));
        Assert.Contains(removed, line => line.Contains("app.UseRequestTimeouts();", StringComparison.Ordinal));
        Assert.Contains(removed, line => line.Contains("app.UseRateLimiter();", StringComparison.Ordinal));
        Assert.DoesNotContain(removed, line => line.Contains("UseRouting", StringComparison.Ordinal));
        Assert.DoesNotContain(removed, line => line.Contains("RawJsonBodyGate", StringComparison.Ordinal));
        Assert.DoesNotContain(removed, line => line.Contains("ClientJwtAuthentication", StringComparison.Ordinal));
        Assert.Empty(ChangedLines(run.StandardOutput, '+'));
        Assert.Single(run.StandardOutput.Split('\n'), line => line.StartsWith("diff --git", StringComparison.Ordinal));
        Assert.Equal(worktreesBefore, await WorktreesAsync());
    }

    [Fact]
    public async Task Part_whose_address_budget_the_copy_would_skip_is_refused_before_anything_is_copied()
    {
        var worktreesBefore = await WorktreesAsync();

        var run = await RunAsync("--dry-run", "redeem,handwritten_redeem");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("design-card-floor: redeem: not a part", run.StandardError, StringComparison.Ordinal);
        Assert.Equal(worktreesBefore, await WorktreesAsync());
    }

    private static List<string> ChangedLines(string diff, char sign) =>
        [.. diff.Split('\n').Where(line => line.Length > 0 && line[0] == sign && !line.StartsWith(new string(sign, 3), StringComparison.Ordinal))];

    private static async Task<ProcessResult> RunAsync(params string[] args)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await ChildProcess.RunAsync(
            new ProgramCommand("bash", ["bench/design-card-floor.sh", .. args]) { WorkingDirectory = Checkout.Root }, timeout.Token);
    }

    private static async Task<string> WorktreesAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var list = await ChildProcess.RunAsync(
            new ProgramCommand("git", ["worktree", "list", "--porcelain"]) { WorkingDirectory = Checkout.Root }, timeout.Token);
        Assert.True(list.ExitCode == 0, list.StandardError);
        return list.StandardOutput;
    }
}
