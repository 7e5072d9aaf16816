using System.Globalization;

namespace Connect.Testing.Fuzzing;

/// <summary>
/// How long a fuzz test samples, as CsCheck's <c>iter</c> and <c>time</c>. By default a few seconds, so that
/// <c>./connect test</c> stays quick on a 2-core machine; <c>CONNECT_FUZZ_ITERATIONS=N</c> runs exactly N
/// samples per test instead and <c>CONNECT_FUZZ_SECONDS=S</c> samples for S seconds (docs/testing.md).
/// </summary>
public static class FuzzBudget
{
    public const string IterationsVariable = "CONNECT_FUZZ_ITERATIONS";

    public const string SecondsVariable = "CONNECT_FUZZ_SECONDS";

    /// <param name="defaultSeconds">The bounded run's length for this test.</param>
    /// <returns>The arguments for CsCheck's <c>Sample</c>: -1 leaves one unset.</returns>
    public static (long Iter, int Time) For(int defaultSeconds)
    {
        if (Read(IterationsVariable) is { } iterations)
        {
            return (iterations, -1);
        }

        return (-1, (int)(Read(SecondsVariable) ?? defaultSeconds));
    }

    private static long? Read(string variable) =>
        long.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
        && value > 0
            ? value
            : null;
}
