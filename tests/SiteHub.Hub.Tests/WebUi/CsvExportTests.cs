using System.Text;
using SiteHub.Hub.WebUi.Exports;

namespace SiteHub.Hub.Tests.WebUi;

public sealed class CsvExportTests
{
    private static readonly IReadOnlyList<CsvColumn<string[]>> TwoColumns = [new("a", r => r[0]), new("b", r => r[1])];

    private static string Text(byte[] bytes)
    {
        Assert.True(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble), "UTF-8 with a byte order mark, for Excel");
        return Encoding.UTF8.GetString(bytes.AsSpan(Encoding.UTF8.Preamble.Length));
    }

    [Fact]
    public void Starts_with_a_byte_order_mark_and_keeps_chinese_text()
    {
        var csv = Text(CsvExport.Write([["张三", "中建三局"]], TwoColumns));

        Assert.Equal("a,b\r\n张三,中建三局\r\n", csv);
    }

    [Fact]
    public void Quotes_commas_quotes_and_line_breaks_as_RFC_4180_says()
    {
        var csv = Text(CsvExport.Write([["a,b", "say \"hi\""], ["two\nlines", ""]], TwoColumns));

        Assert.Equal("a,b\r\n\"a,b\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",\r\n", csv);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")")]
    [InlineData("+1+2")]
    [InlineData("-2+3")]
    [InlineData("@SUM(A1)")]
    public void A_cell_that_starts_like_a_formula_is_prefixed_with_an_apostrophe(string value)
    {
        var csv = Text(CsvExport.Write([[value, "ok"]], TwoColumns));
        var line = csv.Split("\r\n")[1];

        Assert.StartsWith("\"'" + value[0], line, StringComparison.Ordinal);
        Assert.DoesNotContain("," + value[0], line, StringComparison.Ordinal);
    }

    [Fact]
    public void A_formula_character_inside_a_cell_is_left_alone()
    {
        var csv = Text(CsvExport.Write([["a=b", "x-1"]], TwoColumns));

        Assert.Equal("a,b\r\na=b,x-1\r\n", csv);
    }

    [Fact]
    public void Null_is_an_empty_cell_and_an_empty_table_is_its_header()
    {
        var columns = new CsvColumn<int>[] { new("n", n => CsvExport.Number(n)), new("none", _ => null) };

        Assert.Equal("n,none\r\n", Text(CsvExport.Write(Array.Empty<int>(), columns)));
        Assert.Equal("n,none\r\n7,\r\n", Text(CsvExport.Write([7], columns)));
    }

    [Fact]
    public void Money_and_times_are_invariant()
    {
        Assert.Equal("1234.50", CsvExport.Money(1234.5m));
        Assert.Equal("2024-03-01T08:30:00+08:00", CsvExport.Time(new DateTimeOffset(2024, 3, 1, 8, 30, 0, TimeSpan.FromHours(8))));
        Assert.Equal("2024-03-01", CsvExport.Date(new DateOnly(2024, 3, 1)));
    }

    [Theory]
    [InlineData("P1-2024-03-site-a", "P1-2024-03-site-a")]
    [InlineData("../etc/passwd", ".._etc_passwd")]
    [InlineData("一号楼 a\"b", "一号楼_a_b")]
    [InlineData("", "export")]
    public void File_names_keep_only_safe_characters(string name, string safe) => Assert.Equal(safe, CsvExport.SafeFileName(name));
}
