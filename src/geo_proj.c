/*
 * geo_proj.c — geodesic distance on the WGS84 ellipsoid with PROJ's
 * geodesic routines (Karney), never flat degrees.
 */
#include <pthread.h>

#include <geodesic.h>

#include "geo.h"

static struct geod_geodesic wgs84;
static pthread_once_t wgs84_once = PTHREAD_ONCE_INIT;

static void init_wgs84(void)
{
  geod_init(&wgs84, 6378137.0, 1 / 298.257223563);
}

double gm__geo_distance_km(double lat1, double lon1, double lat2,
                           double lon2)
{
  double s12 = 0;

  pthread_once(&wgs84_once, init_wgs84);
  geod_inverse(&wgs84, lat1, lon1, lat2, lon2, &s12, NULL, NULL);
  return s12 / 1000.0;
}
