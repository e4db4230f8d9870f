using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Cohort.Node.Http;

/// <summary>The <c>page</c> and <c>pageSize</c> query parameters of a list: 1-based pages, digits only.</summary>
internal static class Paging
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    /// <returns>Null when both are valid (absent ones take their defaults), else what is wrong.</returns>
    public static string? Read(IQueryCollection query, out int page, out int pageSize)
    {
        pageSize = 0;
        if (query["page"].Count > 1 || query["pageSize"].Count > 1)
        {
            page = 0;
            return "give page and pageSize at most once each";
        }
        if (!TryRead(query["page"], 1, int.MaxValue, 1, out page))
        {
            return "page must be a whole number from 1";
        }
        if (!TryRead(query["pageSize"], 1, MaxPageSize, DefaultPageSize, out pageSize))
        {
            return $"pageSize must be a whole number from 1 to {MaxPageSize}";
        }
        return null;
    }

    /// <summary>Digits only (no sign, spaces or exponent); an absent parameter is <paramref name="absent"/>.</summary>
    private static bool TryRead(StringValues given, int min, int max, int absent, out int value)
    {
        if (given.Count == 0)
        {
            value = absent;
            return true;
        }
        return int.TryParse(given.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }
}
