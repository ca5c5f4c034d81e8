def test_smoke(ana, carla):
    c = ana.web()
    r = c.get("/insights/dashboards/")
    assert r.status_code == 200, r.content[:3000]
    from vinculo.insights.models import Dashboard

    d = Dashboard.objects.for_workspace(ana.workspace).get(kind="sales")
    r = c.get(f"/insights/dashboards/{d.pk}/?edit=1")
    assert r.status_code == 200
    print(r.content.decode()[-9000:])
    for w in d.widgets.all():
        r = c.get(f"/insights/dashboards/{d.pk}/widgets/{w.pk}/csv")
        assert r.status_code == 200
        r = ana.client().get(f"/api/v1/dashboards/{d.pk}/widgets/{w.pk}/data")
        assert r.status_code == 200, r.content
    r = ana.client().get("/api/v1/dashboards")
    print(r.json()["items"][0])
