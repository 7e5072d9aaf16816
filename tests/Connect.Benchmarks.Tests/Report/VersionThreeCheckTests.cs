using System.Text.Json.Nodes;
using Connect.Benchmarks.Report;

namespace Connect.Benchmarks.Tests.Report;

/// <summary><c>--check</c> and <c>--validate</c>: a file is docs/contract/bench.md version 3, key for key, or it is refused and said why.</summary>
public sealed class VersionThreeCheckTests
{
    [Fact]
    public void A_complete_version_3_file_passes_with_the_signals_runs_measured()
    {
        using var file = SampleReports.Written(SampleReports.Complete());

        Assert.Empty(ReportJson.Check(file.Path));

        var json = JsonNode.Parse(File.ReadAllText(file.Path))!;
        Assert.Equal(3, json["version"]!.GetValue<int>());
        Assert.Equal(3, json["rounds"]!.GetValue<int>());
        Assert.Empty(BenchReport.PendingRuns);
        Assert.Equal(1000, json["runs"]!["pipeline_signals"]!["rps"]!.GetValue<double>());
        Assert.Equal(240.2, json["runs"]!["signals_delivery"]!["commit_to_delivery_p99_ms"]!.GetValue<double>());
        Assert.Equal(1.0, json["ratios"]!["signals_vs_pipeline_rps"]!.GetValue<double>());
        Assert.Equal(0.91, json["ratios"]!["redeem_vs_handwritten_rps"]!.GetValue<double>());
        Assert.Equal([0.9, 0.92], json["ratio_spread"]!["redeem_vs_handwritten_rps"]!.AsArray().Select(value => value!.GetValue<double>()));
        Assert.Equal(50, json["framework_tax_us"]!["refresh"]!.GetValue<double>());
    }

    [Fact]
    public void An_older_version_is_refused_in_one_line_that_says_what_to_do()
    {
        var problems = CheckEdited(json => json["version"] = 2);

        var problem = Assert.Single(problems);
        Assert.Contains("version: 2, an older format", problem, StringComparison.Ordinal);
        Assert.Contains("run ./connect bench again", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_version_is_refused_as_unknown()
    {
        var problem = Assert.Single(CheckEdited(json => json["version"] = 7));

        Assert.Contains("not a version this harness knows", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("redeem")]
    [InlineData("handwritten_redeem")]
    [InlineData("pipeline")]
    [InlineData("pipeline_signals")]
    [InlineData("signals_delivery")]
    public void A_measured_run_may_not_be_null(string run)
    {
        var problems = CheckEdited(json => json["runs"]![run] = null);

        Assert.Contains($"runs.{run}: Null, expected Object", problems);
    }

    [Theory]
    [InlineData("ratio_spread", "redeem_vs_handwritten_rps")]
    [InlineData("ratios", "framework_tax_max_us")]
    [InlineData("framework_tax_us", "redeem")]
    [InlineData("", "rounds")]
    public void Every_version_3_key_is_required(string owner, string key)
    {
        var problems = CheckEdited(json => (owner.Length == 0 ? json : json[owner]!).AsObject().Remove(key));

        Assert.Contains($"{(owner.Length == 0 ? "" : owner + ".")}{key}: missing", problems);
    }

    [Fact]
    public void A_spread_that_does_not_hold_its_median_is_refused()
    {
        var problems = CheckEdited(json => json["ratio_spread"]!["refresh_vs_handwritten_rps"] = new JsonArray(0.95, 0.99));

        Assert.Contains(problems, problem => problem.StartsWith("ratio_spread.refresh_vs_handwritten_rps: [0.95, 0.99] does not hold", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("delivered")]
    [InlineData("seconds")]
    [InlineData("per_second")]
    [InlineData("commit_to_delivery_p50_ms")]
    [InlineData("commit_to_delivery_p99_ms")]
    public void Every_field_of_signals_delivery_is_required(string key)
    {
        var problems = CheckEdited(json => json["runs"]!["signals_delivery"]!.AsObject().Remove(key));

        Assert.Contains($"runs.signals_delivery.{key}: missing", problems);
    }

    [Fact]
    public void The_signals_ratio_may_not_be_null_now_that_its_run_is_measured()
    {
        Assert.Empty(CheckEdited(_ => { }));

        var problems = CheckEdited(json => json["ratios"]!["signals_vs_pipeline_rps"] = null);

        Assert.Contains("ratios.signals_vs_pipeline_rps: Null, expected Number", problems);
    }

    [Fact]
    public void A_run_in_which_no_request_was_answered_fails_even_a_quick_check()
    {
        var report = SampleReports.Complete();
        report.Runs["redeem"] = SampleReports.Run(0);

        using var file = SampleReports.Written(report);

        Assert.Contains("runs.redeem: no request was answered as expected (0 sent, 0 errors)", ReportJson.Check(file.Path));
    }

    private static List<string> CheckEdited(Action<JsonNode> edit)
    {
        using var file = SampleReports.Written(SampleReports.Complete());
        var json = JsonNode.Parse(File.ReadAllText(file.Path))!;
        edit(json);
        File.WriteAllText(file.Path, json.ToJsonString());
        return ReportJson.Check(file.Path);
    }
}
