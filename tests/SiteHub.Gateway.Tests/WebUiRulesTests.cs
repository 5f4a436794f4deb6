using SiteHub.Gateway.WebUi;
using SiteHub.Platform.Web;

namespace SiteHub.Gateway.Tests;

public sealed class WebUiRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 8, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void Five_wrong_passwords_lock_for_five_minutes_and_the_count_starts_over_after()
    {
        var state = LockoutState.None;
        for (var i = 0; i < 4; i++)
        {
            state = Lockout.AfterFailure(state, T0, 5, TimeSpan.FromMinutes(5));
            Assert.False(Lockout.IsLocked(state, T0));
        }

        state = Lockout.AfterFailure(state, T0, 5, TimeSpan.FromMinutes(5));
        Assert.True(Lockout.IsLocked(state, T0.AddMinutes(4.9)));
        Assert.False(Lockout.IsLocked(state, T0.AddMinutes(5)));

        state = Lockout.AfterFailure(state, T0.AddMinutes(6), 5, TimeSpan.FromMinutes(5));
        Assert.Equal(1, state.Failures);
        Assert.False(Lockout.IsLocked(state, T0.AddMinutes(6)));
    }

    [Theory]
    [InlineData("110101199003071234", "11**************34")]
    [InlineData("W0001", "W****")]
    [InlineData("A", "A")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Ids_are_never_shown_in_clear(string? id, string shown) => Assert.Equal(shown, PersonIdMask.Mask(id));

    [Fact]
    public void Each_protocol_gets_the_settings_its_own_menu_asks_for()
    {
        var hik = TerminalSettings.For("hik-isapi", "HIK-1", "192.168.1.10", 5081, 1883);
        Assert.Contains(new TerminalSetting("SettingUrl", "/isapi/events/HIK-1"), hik);
        Assert.Contains(new TerminalSetting("SettingPort", "5081"), hik);

        var zk = TerminalSettings.For("zk-adms", "ZK-1", "192.168.1.10", 5081, 1883);
        Assert.Contains(new TerminalSetting("SettingServerAddress", "192.168.1.10"), zk);

        var mqtt = TerminalSettings.For("sitehub-v1", "FACE-1", "192.168.1.10", 5081, 1883);
        Assert.Contains(new TerminalSetting("SettingUsername", "FACE-1"), mqtt);
        Assert.Contains(new TerminalSetting("SettingPort", "1883"), mqtt);
    }

    [Fact]
    public void Throughput_is_acked_punches_per_minute_over_the_window()
    {
        var meter = new Throughput(TimeSpan.FromMinutes(1));
        Assert.Equal(0, meter.Add(T0, 100));
        Assert.Equal(120, meter.Add(T0.AddSeconds(30), 160));
        Assert.Equal(0, meter.Add(T0.AddMinutes(5), 160));
    }
}
