namespace Connect.Api.Tests.Observability;

internal static class ObservabilityHarness
{
    /// <summary>
    /// The observer records after the response has left the pipeline, so a test may read its output a moment
    /// after the client holds the answer.
    /// </summary>
    public static async Task<T> EventuallyAsync<T>(Func<T?> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (probe() is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, "the expected observation never arrived");
            await Task.Delay(20);
        }
    }
}
