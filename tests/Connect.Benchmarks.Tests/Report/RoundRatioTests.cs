using Connect.Benchmarks.Report;

namespace Connect.Benchmarks.Tests.Report;

/// <summary>docs/contract/bench.md version 3: each ratio the median of the rounds, its spread their min and max, the tax per round.</summary>
public sealed class RoundRatioTests
{
    [Fact]
    public void A_paired_ratio_is_the_median_of_the_ratios_within_each_round_and_its_spread_their_range()
    {
        var report = new BenchReport { Quick = false, Durable = true, Machine = new(2, "", "", ""), Rounds = 3 };
        // Round 2's machine was slow for both sides: its ratio is the same as round 1's, though both rps fell.
        double[] service = [900, 450, 1000];
        double[] twin = [1000, 500, 800];
        for (var round = 0; round < 3; round++)
        {
            report.AddRound("pipeline", round, SampleReports.Run(service[round]));
            report.AddRound("handwritten", round, SampleReports.Run(twin[round]));
        }

        var ratio = report.Ratios().Single(r => r.Name == "pipeline_vs_handwritten_rps");

        Assert.Equal([0.9, 0.9, 1.25], ratio.Rounds);
        Assert.Equal(0.9, ratio.Value);
        Assert.Equal((0.9, 1.25), ratio.Spread);
        Assert.True(ratio.Paired);
        Assert.True(ratio.Met);
    }

    [Fact]
    public void A_run_measured_once_is_the_same_figure_in_every_round()
    {
        var report = new BenchReport { Quick = false, Durable = true, Machine = new(2, "", "", ""), Rounds = 3 };
        report.Runs["pipeline_large"] = SampleReports.Run(900);
        report.AddRound("pipeline", 0, SampleReports.Run(1000));
        report.AddRound("pipeline", 1, SampleReports.Run(900));
        report.AddRound("pipeline", 2, SampleReports.Run(1200));

        var ratio = report.Ratios().Single(r => r.Name == "large_vs_small_rps");

        Assert.Equal([0.9, 1.0, 0.75], ratio.Rounds);
        Assert.Equal(0.9, ratio.Value);
        Assert.False(ratio.Paired);
    }

    [Fact]
    public void A_round_without_one_side_is_left_out_and_an_even_count_takes_the_mean_of_the_middle_two()
    {
        var report = new BenchReport { Quick = false, Durable = true, Machine = new(2, "", "", ""), Rounds = 3 };
        report.AddRound("refresh", 0, SampleReports.Run(800));
        report.AddRound("handwritten_refresh", 0, SampleReports.Run(1000));
        report.AddRound("refresh", 1, null);
        report.AddRound("handwritten_refresh", 1, SampleReports.Run(1000));
        report.AddRound("refresh", 2, SampleReports.Run(1000));
        report.AddRound("handwritten_refresh", 2, SampleReports.Run(1000));

        var ratio = report.Ratios().Single(r => r.Name == "refresh_vs_handwritten_rps");

        Assert.Equal(0.9, ratio.Value);
        Assert.Equal((0.8, 1.0), ratio.Spread);
    }

    [Fact]
    public void Ratios_whose_runs_are_missing_are_null_with_no_spread()
    {
        var report = new BenchReport { Quick = false, Durable = true, Machine = new(2, "", "", ""), Rounds = 3 };

        var ratio = report.Ratios().Single(r => r.Name == "signals_vs_pipeline_rps");

        Assert.Null(ratio.Value);
        Assert.Null(ratio.Spread);
        Assert.Null(ratio.Met);
    }

    [Fact]
    public void The_framework_tax_is_the_median_of_each_rounds_difference_and_its_maximum_needs_all_four()
    {
        var report = SampleReports.Complete();
        // Revoke-all: 150 - 100 in every round but one, where both sides paid 60 us more.
        report.AddRound("pipeline", 1, SampleReports.Run(900, serviceCpuUs: 210));
        report.AddRound("handwritten", 1, SampleReports.Run(1000, serviceCpuUs: 160));
        report.AddRound("redeem", 0, SampleReports.Run(900, serviceCpuUs: 400));

        var tax = report.FrameworkTaxUs();
        var max = report.Ratios().Single(r => r.Name == "framework_tax_max_us");

        Assert.Equal(50, tax["revoke_all"]);
        Assert.Equal(50, tax["redeem"]);
        Assert.Equal(50, max.Value);
        Assert.False(max.Met is false);

        report.RoundRuns.Remove("handwritten_introspect");
        report.Runs["handwritten_introspect"] = null;
        Assert.Null(report.FrameworkTaxUs()["introspect"]);
        Assert.Null(report.Ratios().Single(r => r.Name == "framework_tax_max_us").Value);
    }

    [Fact]
    public void The_signals_cost_is_the_median_of_each_rounds_cpu_difference_and_bounds_the_rate_ratio_by_the_cpu()
    {
        var report = new BenchReport { Quick = false, Durable = true, Machine = new(2, "", "", ""), Rounds = 3 };
        // PostgreSQL's CPU per request is 300 us on both sides (SampleReports.Run): the difference is the service's.
        double[] pipeline = [500, 700, 500];
        double[] signals = [1100, 1500, 1300];
        for (var round = 0; round < 3; round++)
        {
            report.AddRound("pipeline", round, SampleReports.Run(1000, serviceCpuUs: pipeline[round]));
            report.AddRound("pipeline_signals", round, SampleReports.Run(600, serviceCpuUs: signals[round]));
        }

        var (service, postgres, bound) = report.SignalsCostUs();

        Assert.Equal(800, service);
        Assert.Equal(0, postgres);
        // Rounds: 800/1400, 1000/1800, 800/1600: the median is 0.556.
        Assert.Equal(0.556, bound);
        Assert.Null(new BenchReport { Quick = false, Durable = true, Machine = new(2, "", "", ""), Rounds = 3 }.SignalsCostUs().Service);
    }
}
