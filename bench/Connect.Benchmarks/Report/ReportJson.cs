using System.Text.Json;

namespace Connect.Benchmarks.Report;

/// <summary>Writes docs/contract/bench.md's JSON object, key for key, and checks a written file against that shape.</summary>
internal static class ReportJson
{
    private static readonly string[] MachineKeys = ["cores", "cpu", "postgres", "dotnet"];
    private static readonly string[] RunKeys =
    [
        "concurrency", "seconds", "requests", "errors", "rps", "p50_ms", "p90_ms", "p99_ms", "max_ms",
        "cpu_us_per_request", "db_round_trips_per_request", "commits_per_request", "revoked",
    ];
    private static readonly string[] MicroKeys =
        ["jwt_validate_us", "rsa_verify_us", "body_sha256_us", "dispatch_us", "token_sign_us", "refresh_token_read_us"];
    private static readonly string[] SignalsDeliveryKeys =
        ["delivered", "seconds", "per_second", "commit_to_delivery_p50_ms", "commit_to_delivery_p99_ms"];

    /// <summary>The key of the open-model curve (50/70/85% of each side's own maximum): the issue's, not one of docs/contract/bench.md's.</summary>
    public const string CurveKey = "open_model_curve";

    public static void Write(BenchReport report, Stream stream)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("version", BenchReport.Version);
        json.WriteBoolean("quick", report.Quick);
        json.WriteBoolean("durable", report.Durable);

        json.WriteStartObject("machine");
        json.WriteNumber("cores", report.Machine.Cores);
        json.WriteString("cpu", report.Machine.Cpu);
        json.WriteString("postgres", report.Machine.Postgres);
        json.WriteString("dotnet", report.Machine.Dotnet);
        json.WriteEndObject();

        json.WriteStartObject("runs");
        foreach (var name in BenchReport.RunNames)
        {
            WriteRun(json, name, report.Runs[name]);
        }

        json.WritePropertyName("pgbench_statements");
        if (report.PgbenchStatements is { } statements)
        {
            json.WriteStartObject();
            Number(json, "tps", Math.Round(statements.Tps, 1));
            json.WriteNumber("statements", statements.Statements);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNullValue();
        }

        json.WritePropertyName("pgbench_single");
        if (report.PgbenchSingle is { } single)
        {
            json.WriteStartObject();
            Number(json, "tps", Math.Round(single.Tps, 1));
            json.WriteEndObject();
        }
        else
        {
            json.WriteNullValue();
        }

        json.WritePropertyName("signals_delivery");
        if (report.SignalsDelivery is { } delivery)
        {
            json.WriteStartObject();
            json.WriteNumber("delivered", delivery.Delivered);
            json.WriteNumber("seconds", Math.Round(delivery.Seconds, 2));
            json.WriteNumber("per_second", Math.Round(delivery.PerSecond, 1));
            json.WriteNumber("commit_to_delivery_p50_ms", Math.Round(delivery.CommitToDeliveryP50Ms, 3));
            json.WriteNumber("commit_to_delivery_p99_ms", Math.Round(delivery.CommitToDeliveryP99Ms, 3));
            json.WriteEndObject();
        }
        else
        {
            json.WriteNullValue();
        }

        json.WriteEndObject();

        json.WriteStartObject("micro");
        Number(json, "jwt_validate_us", report.JwtValidateUs);
        Number(json, "rsa_verify_us", report.RsaVerifyUs);
        Number(json, "body_sha256_us", report.BodySha256Us);
        Number(json, "dispatch_us", report.DispatchUs);
        Number(json, "token_sign_us", report.TokenSignUs);
        Number(json, "refresh_token_read_us", report.RefreshTokenReadUs);
        json.WriteEndObject();

        json.WriteStartObject("framework_tax_us");
        foreach (var (key, value) in report.FrameworkTaxUs())
        {
            Number(json, key, value);
        }

        json.WriteEndObject();
        json.WriteNumber("rounds", report.Rounds);

        var ratios = report.Ratios();
        json.WriteStartObject("ratios");
        foreach (var ratio in ratios)
        {
            Number(json, ratio.Name, ratio.Value);
        }

        json.WriteEndObject();

        json.WriteStartObject("ratio_spread");
        foreach (var ratio in ratios.Where(ratio => ratio.Rounds.Count > 0))
        {
            json.WritePropertyName(ratio.Name);
            if (ratio.Spread is { } spread)
            {
                json.WriteStartArray();
                json.WriteNumberValue(spread.Min);
                json.WriteNumberValue(spread.Max);
                json.WriteEndArray();
            }
            else
            {
                json.WriteNullValue();
            }
        }

        json.WriteEndObject();

        json.WriteStartObject(CurveKey);
        foreach (var side in report.OpenModelCurve.GroupBy(point => point.Side))
        {
            json.WriteStartArray(side.Key);
            foreach (var point in side.OrderBy(point => point.Share))
            {
                json.WriteStartObject();
                json.WriteNumber("load", point.Share);
                json.WritePropertyName("run");
                WriteRunValue(json, point.Run);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteRun(Utf8JsonWriter json, string name, RunReport? run)
    {
        json.WritePropertyName(name);
        WriteRunValue(json, run);
    }

    private static void WriteRunValue(Utf8JsonWriter json, RunReport? run)
    {
        if (run is null)
        {
            json.WriteNullValue();
            return;
        }

        json.WriteStartObject();
        json.WriteNumber("concurrency", run.Concurrency);
        json.WriteNumber("seconds", Math.Round(run.Seconds, 2));
        json.WriteNumber("requests", run.Requests);
        json.WriteNumber("errors", run.Errors);
        json.WriteNumber("rps", Math.Round(run.Rps, 1));
        json.WriteNumber("p50_ms", Math.Round(run.P50Ms, 3));
        json.WriteNumber("p90_ms", Math.Round(run.P90Ms, 3));
        json.WriteNumber("p99_ms", Math.Round(run.P99Ms, 3));
        json.WriteNumber("max_ms", Math.Round(run.MaxMs, 3));
        json.WriteStartObject("cpu_us_per_request");
        Number(json, "service", Round(run.ServiceCpuUsPerRequest, 1));
        Number(json, "postgres", Round(run.PostgresCpuUsPerRequest, 1));
        json.WriteEndObject();
        Number(json, "db_round_trips_per_request", Round(run.DbRoundTripsPerRequest, 2));
        Number(json, "commits_per_request", Round(run.CommitsPerRequest, 2));
        json.WriteNumber("revoked", run.Revoked);
        if (run.TargetRps is { } target)
        {
            json.WriteNumber("target_rps", Math.Round(target, 1));
        }

        json.WriteEndObject();
    }

    private static double? Round(double? value, int digits) => value is { } v ? Math.Round(v, digits) : null;

    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } number && double.IsFinite(number))
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary>
    /// CI's smoke check of a written file: docs/contract/bench.md version 3, every key present with a value of the right
    /// kind, every run with at least one request answered as expected, every paired ratio with its spread. Errors fail
    /// a full run; in a quick run they are reported and fail only when every request of a run failed. A file of
    /// another version is refused as such, before its keys are listed. The runs <see cref="BenchReport.PendingRuns"/>
    /// names may be <c>null</c> (and so may the ratios that need them); nothing else may.
    /// </summary>
    public static List<string> Check(string file)
    {
        var problems = new List<string>();
        using var document = JsonDocument.Parse(File.ReadAllBytes(file));
        var root = document.RootElement;

        JsonElement? Member(JsonElement owner, string name, string path, JsonValueKind kind, bool mayBeNull = false)
        {
            if (owner.ValueKind != JsonValueKind.Object || !owner.TryGetProperty(name, out var value))
            {
                problems.Add($"{path}{name}: missing");
                return null;
            }

            if (mayBeNull && value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind != kind)
            {
                problems.Add($"{path}{name}: {value.ValueKind}, expected {kind}");
                return null;
            }

            return value;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"the file is a JSON {root.ValueKind}, not docs/contract/bench.md's object");
            return problems;
        }

        if (Member(root, "version", "", JsonValueKind.Number) is not { } version)
        {
            return problems;
        }

        if (!version.TryGetInt32(out var number) || number != BenchReport.Version)
        {
            problems.Add(number is >= 1 and < BenchReport.Version
                ? $"version: {number}, an older format; this harness writes and checks version {BenchReport.Version} of docs/contract/bench.md "
                    + "(the redeem and signals runs, framework_tax_us, rounds and ratio_spread): run ./connect bench again to get one"
                : $"version: {version.GetRawText()}, not a version this harness knows; it writes and checks version {BenchReport.Version} of docs/contract/bench.md");
            return problems;
        }

        var quick = root.TryGetProperty("quick", out var quickValue) && quickValue.ValueKind == JsonValueKind.True;
        foreach (var flag in new[] { "quick", "durable" })
        {
            if (!root.TryGetProperty(flag, out var value) || value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                problems.Add($"{flag}: missing or not a boolean");
            }
        }

        if (Member(root, "machine", "", JsonValueKind.Object) is { } machine)
        {
            Member(machine, "cores", "machine.", JsonValueKind.Number);
            foreach (var key in MachineKeys.Skip(1))
            {
                Member(machine, key, "machine.", JsonValueKind.String);
            }
        }

        var pendingAbsent = new HashSet<string>(StringComparer.Ordinal);
        if (Member(root, "runs", "", JsonValueKind.Object) is { } runs)
        {
            foreach (var name in BenchReport.RunNames)
            {
                var pending = BenchReport.PendingRuns.ContainsKey(name);
                if (pending && runs.TryGetProperty(name, out var absent) && absent.ValueKind == JsonValueKind.Null)
                {
                    pendingAbsent.Add(name);
                }

                if (Member(runs, name, "runs.", JsonValueKind.Object, mayBeNull: pending) is { } run)
                {
                    CheckRun(run, $"runs.{name}", BenchReport.OpenModelRunNames.Contains(name), quick, problems);
                }
            }

            if (Member(runs, "pgbench_statements", "runs.", JsonValueKind.Object) is { } statements)
            {
                Member(statements, "tps", "runs.pgbench_statements.", JsonValueKind.Number);
                Member(statements, "statements", "runs.pgbench_statements.", JsonValueKind.Number);
            }

            if (Member(runs, "pgbench_single", "runs.", JsonValueKind.Object) is { } single)
            {
                Member(single, "tps", "runs.pgbench_single.", JsonValueKind.Number);
            }

            if (runs.TryGetProperty("signals_delivery", out var nothing) && nothing.ValueKind == JsonValueKind.Null
                && BenchReport.PendingRuns.ContainsKey("signals_delivery"))
            {
                pendingAbsent.Add("signals_delivery");
            }

            if (Member(runs, "signals_delivery", "runs.", JsonValueKind.Object, BenchReport.PendingRuns.ContainsKey("signals_delivery")) is { } delivery)
            {
                foreach (var key in SignalsDeliveryKeys)
                {
                    Member(delivery, key, "runs.signals_delivery.", JsonValueKind.Number);
                }
            }
        }

        if (Member(root, "micro", "", JsonValueKind.Object) is { } micro)
        {
            foreach (var key in MicroKeys)
            {
                Member(micro, key, "micro.", JsonValueKind.Number);
            }
        }

        if (Member(root, "framework_tax_us", "", JsonValueKind.Object) is { } tax)
        {
            foreach (var (key, _, _) in BenchReport.TaxPairs)
            {
                Member(tax, key, "framework_tax_us.", JsonValueKind.Number);
            }
        }

        if (Member(root, "rounds", "", JsonValueKind.Number) is { } rounds && (!rounds.TryGetInt32(out var count) || count != Plan.Rounds))
        {
            problems.Add($"rounds: {rounds.GetRawText()}, expected {Plan.Rounds} (docs/contract/bench.md version 3)");
        }

        // A ratio may be null only when a run it needs is one of the pending ones, absent for that reason.
        var template = new BenchReport { Quick = quick, Durable = false, Machine = new(0, "", "", ""), Rounds = Plan.Rounds };
        var ratiosNeedingPending = new HashSet<string>(
            template.Ratios().Where(ratio => pendingAbsent.Any(run => RatioUses(ratio.Name, run))).Select(ratio => ratio.Name),
            StringComparer.Ordinal);
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        if (Member(root, "ratios", "", JsonValueKind.Object) is { } ratios)
        {
            foreach (var ratio in template.Ratios())
            {
                if (Member(ratios, ratio.Name, "ratios.", JsonValueKind.Number, mayBeNull: ratiosNeedingPending.Contains(ratio.Name)) is { } value)
                {
                    values[ratio.Name] = value.GetDouble();
                }
            }
        }

        if (Member(root, "ratio_spread", "", JsonValueKind.Object) is { } spreads)
        {
            foreach (var ratio in template.Ratios().Where(ratio => ratio.Paired))
            {
                var mayBeNull = ratiosNeedingPending.Contains(ratio.Name);
                if (Member(spreads, ratio.Name, "ratio_spread.", JsonValueKind.Array, mayBeNull) is not { } spread)
                {
                    continue;
                }

                if (spread.GetArrayLength() != 2 || spread.EnumerateArray().Any(bound => bound.ValueKind != JsonValueKind.Number))
                {
                    problems.Add($"ratio_spread.{ratio.Name}: {spread.GetRawText()}, expected [min, max]");
                    continue;
                }

                var (min, max) = (spread[0].GetDouble(), spread[1].GetDouble());
                if (min > max || (values.TryGetValue(ratio.Name, out var median) && (median < min - 0.0005 || median > max + 0.0005)))
                {
                    problems.Add($"ratio_spread.{ratio.Name}: [{min}, {max}] does not hold the ratio's median {(values.TryGetValue(ratio.Name, out var m) ? m : double.NaN)}");
                }
            }
        }

        if (root.TryGetProperty(CurveKey, out var curve))
        {
            if (curve.ValueKind != JsonValueKind.Object)
            {
                problems.Add($"{CurveKey}: {curve.ValueKind}, expected Object");
            }
            else
            {
                foreach (var side in curve.EnumerateObject())
                {
                    var index = 0;
                    foreach (var point in side.Value.ValueKind == JsonValueKind.Array ? side.Value.EnumerateArray() : default)
                    {
                        var path = $"{CurveKey}.{side.Name}[{index++}].";
                        Member(point, "load", path, JsonValueKind.Number);
                        if (Member(point, "run", path, JsonValueKind.Object) is { } run)
                        {
                            CheckRun(run, path + "run", openModel: true, quick, problems);
                        }
                    }
                }
            }
        }

        return problems;
    }

    /// <summary>Whether a ratio's definition reads the pending run <paramref name="run"/> (signals_vs_pipeline_rps reads pipeline_signals).</summary>
    private static bool RatioUses(string ratio, string run) =>
        ratio.StartsWith(run == "pipeline_signals" ? "signals_" : run + "_", StringComparison.Ordinal);

    private static void CheckRun(JsonElement run, string name, bool openModel, bool quick, List<string> problems)
    {
        var path = name + ".";
        void Need(JsonElement owner, string key, string at)
        {
            if (!owner.TryGetProperty(key, out var value))
            {
                problems.Add($"{at}{key}: missing");
            }
            else if (value.ValueKind != JsonValueKind.Number)
            {
                problems.Add($"{at}{key}: {value.ValueKind}, expected Number");
            }
        }

        foreach (var key in RunKeys.Where(key => key != "cpu_us_per_request"))
        {
            Need(run, key, path);
        }

        if (!run.TryGetProperty("cpu_us_per_request", out var cpu) || cpu.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{path}cpu_us_per_request: missing or not an object");
        }
        else
        {
            Need(cpu, "service", path + "cpu_us_per_request.");
            Need(cpu, "postgres", path + "cpu_us_per_request.");
        }

        if (openModel)
        {
            Need(run, "target_rps", path);
        }

        if (run.TryGetProperty("requests", out var requests) && requests.ValueKind == JsonValueKind.Number
            && run.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Number)
        {
            var answered = requests.GetInt64() - errors.GetInt64();
            if (answered <= 0)
            {
                problems.Add($"{name}: no request was answered as expected ({requests.GetInt64()} sent, {errors.GetInt64()} errors)");
            }
            else if (errors.GetInt64() > 0 && !quick)
            {
                problems.Add($"{name}: {errors.GetInt64()} errors");
            }
        }
    }
}
