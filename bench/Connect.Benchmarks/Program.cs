using System.Runtime.InteropServices;
using Connect.Benchmarks;
using Connect.Benchmarks.Hosting;

// ./connect bench [--quick] [--json FILE] [--check] [--fast-commits]    the load harness (see docs/performance.md)
// Connect.Benchmarks serve-handwritten                             the hand-written baseline, started by the harness
if (args.Length > 0 && args[0] == HandwrittenService.Command)
{
    return await HandwrittenService.RunAsync(args[1..]);
}

string? json = null, validate = null;
HashSet<string>? only = null;
bool quick = false, check = false, fastCommits = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--quick":
            quick = true;
            break;
        case "--check":
            check = true;
            break;
        case "--fast-commits":
            fastCommits = true;
            break;
        case "--durable":
            // Version 1's flag: durable is now the default; still accepted so that older scripts keep working.
            break;
        case "--json" when i + 1 < args.Length:
            json = Path.GetFullPath(args[++i]);
            break;
        case "--only" when i + 1 < args.Length:
            only = [.. args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
            break;
        case "--validate" when i + 1 < args.Length:
            validate = args[++i];
            break;
        case "-h" or "--help":
            Console.WriteLine("""
                Usage: ./connect bench [--quick] [--json FILE] [--check] [--fast-commits] [--only PARTS]
                       ./connect bench --validate FILE

                  --quick     every part with short windows and small data (CI's smoke run, a minute or two)
                  --json F    also write the figures as docs/contract/bench.md's JSON object to F
                  --check     exit non-zero unless that JSON is version 3 with every key, every run answered a request,
                              and every paired ratio has its spread
                  --fast-commits  measure with fsync, synchronous_commit and full_page_writes off (commits do not
                              wait for the disk); by default the measured runs use the production settings
                  --only P    only these comma-separated parts, to compare two builds or settings quickly:
                              pipeline, light_load, open_model (needs pipeline), handwritten,
                              handwritten_open_model (needs handwritten; at open_model's rate when that ran),
                              open_model_curve (50/70/85% of each side's own rps; needs pipeline and handwritten),
                              pipeline_large, pgbench, micro,
                              refresh, handwritten_refresh, introspect, handwritten_introspect, redeem, handwritten_redeem
                              (the paired runs alternate in 3 rounds whatever is chosen)
                  --validate F   only check an existing JSON file as --check does, without running anything
                """);
            return 0;
        default:
            await Console.Error.WriteLineAsync($"bench: unknown argument '{args[i]}' (see ./connect bench --help)");
            return 2;
    }
}

if (validate is not null)
{
    var problems = Connect.Benchmarks.Report.ReportJson.Check(validate);
    foreach (var problem in problems)
    {
        Console.WriteLine($"bench check: {problem}");
    }

    Console.WriteLine(problems.Count == 0 ? $"bench check: ok ({validate} has every key of docs/contract/bench.md)" : $"bench check: FAILED ({problems.Count} problem(s))");
    return problems.Count == 0 ? 0 : 1;
}

// Ctrl-C and SIGTERM cancel the run; the harness then stops its servers and deletes its cluster before exiting.
using var cancel = new CancellationTokenSource();
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});

if (only is not null && (check || only.Except(BenchOptions.Parts).Any()))
{
    await Console.Error.WriteLineAsync(check
        ? "bench: --check needs every part; it cannot be combined with --only"
        : $"bench: --only takes {string.Join(", ", BenchOptions.Parts)}");
    return 2;
}

var harness = new Harness(new BenchOptions(quick, json, check, Durable: !fastCommits, only), Paths.Find(), Console.Out);
return await harness.RunAsync(cancel.Token);
