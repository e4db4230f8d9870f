using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Cohort.Node.Tests.Support;

/// <summary>A product's units as its entity answers them, read again until orders still on their way have landed.</summary>
internal static class ProductUnits
{
    /// <returns>The units once <paramref name="settled"/> holds, or as they stand at <paramref name="timeout"/> for the caller's assertions.</returns>
    public static async Task<(long Available, long Reserved, long Sold)> WaitAsync(
        HttpClient http, string sku, Func<(long Available, long Reserved, long Sold), bool> settled, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await http.GetAsync($"/api/v1/products/{sku}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var p = await response.Content.ReadFromJsonAsync<JsonElement>();
                var units = (p.GetProperty("available").GetInt64(), p.GetProperty("reserved").GetInt64(), p.GetProperty("sold").GetInt64());
                if (settled(units) || clock.Elapsed > timeout)
                {
                    return units;
                }
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"product {sku} did not answer within {timeout}");
            }
            await Task.Delay(200);
        }
    }
}
