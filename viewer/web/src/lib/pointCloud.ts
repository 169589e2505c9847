// WebGL scatter plot for the projector (three.js): one Points draw call for any
// number of points, in 2-D (orthographic camera, pan and zoom) or 3-D
// (perspective camera, orbit). Per-point colour, alpha and size live in
// vertex attributes and a custom shader draws round dots or cells of a sprite
// sheet (in 2-D and 3-D alike). Labels go on a 2-D canvas overlay at the
// projected positions. Renders on demand (at most once per animation frame).
import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";

const VERTEX = `
attribute vec4 rgba;
attribute float psize;
attribute float sprite;
uniform float scale;
uniform float perspective;
varying vec4 vColor;
varying float vSprite;
void main() {
  vec4 mv = modelViewMatrix * vec4(position, 1.0);
  gl_Position = projectionMatrix * mv;
  float s = psize * scale;
  if (perspective > 0.5) s *= 3.0 / max(0.05, -mv.z);
  gl_PointSize = s;
  vColor = rgba;
  vSprite = sprite;
}`;

const FRAGMENT = `
uniform sampler2D atlas;
uniform float useSprites;
uniform vec2 cell;
uniform float perRow;
varying vec4 vColor;
varying float vSprite;
void main() {
  vec2 uv = gl_PointCoord;
  if (useSprites > 0.5 && vSprite >= 0.0) {
    float col = mod(vSprite, perRow), row = floor(vSprite / perRow);
    vec4 c = texture2D(atlas, (vec2(col, row) + uv) * cell);
    // a thin frame in the point's colour keeps highlights visible on thumbnails
    float edge = max(abs(uv.x - 0.5), abs(uv.y - 0.5));
    if (edge > 0.44) c = vec4(vColor.rgb, 1.0);
    gl_FragColor = vec4(c.rgb, c.a * vColor.a);
    if (gl_FragColor.a < 0.02) discard;
    return;
  }
  float r = length(uv - 0.5);
  if (r > 0.5) discard;
  gl_FragColor = vec4(vColor.rgb, vColor.a * smoothstep(0.5, 0.38, r));
}`;

export interface PointStyle {
  /** n x 4 RGBA in 0..1 (alpha 0 hides a point). */
  rgba: Float32Array;
  /** n point sizes in CSS pixels (0 hides a point). */
  size: Float32Array;
}

export class PointCloud {
  readonly renderer: THREE.WebGLRenderer;
  readonly scene = new THREE.Scene();
  camera: THREE.OrthographicCamera | THREE.PerspectiveCamera;
  controls: OrbitControls;
  readonly overlay: HTMLCanvasElement;
  private geometry = new THREE.BufferGeometry();
  private material: THREE.ShaderMaterial;
  private points: THREE.Points;
  private dims: 2 | 3 = 2;
  private n = 0;
  private pos: Float32Array<ArrayBufferLike> = new Float32Array(0);
  private style?: PointStyle;
  private pending = 0;
  private resizeObs: ResizeObserver;
  private texture?: THREE.Texture;
  /** Indices whose labels are drawn, and the text for one. */
  labels: number[] = [];
  labelText: (i: number) => string = (i) => String(i);
  onPick?: (i: number) => void;
  onHover?: (i: number, x: number, y: number) => void;
  /** Called after each frame is drawn (frame-time benchmark). */
  onFrame?: () => void;

  /** Throws when the browser has no WebGL (the caller shows a note). */
  constructor(private el: HTMLElement) {
    this.renderer = new THREE.WebGLRenderer({ antialias: false, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(window.devicePixelRatio || 1);
    el.append(this.renderer.domElement);
    this.overlay = document.createElement("canvas");
    this.overlay.className = "labels-overlay";
    el.append(this.overlay);
    this.material = new THREE.ShaderMaterial({
      vertexShader: VERTEX, fragmentShader: FRAGMENT, transparent: true, depthWrite: false,
      uniforms: {
        scale: { value: window.devicePixelRatio || 1 }, perspective: { value: 0 },
        atlas: { value: null }, useSprites: { value: 0 }, cell: { value: new THREE.Vector2(1, 1) }, perRow: { value: 1 },
      },
    });
    this.points = new THREE.Points(this.geometry, this.material);
    this.points.frustumCulled = false;
    this.scene.add(this.points);
    this.camera = this.makeCamera(2);
    this.controls = this.makeControls();
    this.setBackground();
    this.resizeObs = new ResizeObserver(() => this.resize());
    this.resizeObs.observe(el);
    window.addEventListener("tblog-theme", this.onTheme);
    this.interact();
    this.resize();
  }

  private onTheme = () => { this.setBackground(); this.requestRender(); };

  private setBackground() {
    const bg = getComputedStyle(document.documentElement).getPropertyValue("--panel").trim() || "#ffffff";
    this.scene.background = new THREE.Color(bg);
  }

  private size() {
    return { w: Math.max(100, this.el.clientWidth), h: Math.max(100, this.el.clientHeight) };
  }

  private makeCamera(dims: 2 | 3) {
    const { w, h } = this.size();
    if (dims === 2) {
      const a = w / h;
      const cam = new THREE.OrthographicCamera(-1.1 * a, 1.1 * a, 1.1, -1.1, -10, 10);
      cam.position.set(0, 0, 5);
      return cam;
    }
    const cam = new THREE.PerspectiveCamera(45, w / h, 0.01, 100);
    cam.position.set(2.2, 1.6, 2.6);
    return cam;
  }

  private makeControls() {
    const c = new OrbitControls(this.camera, this.renderer.domElement);
    c.enableRotate = this.dims === 3;
    c.screenSpacePanning = true;
    c.zoomToCursor = true;
    if (this.dims === 2) c.mouseButtons = { LEFT: THREE.MOUSE.PAN, MIDDLE: THREE.MOUSE.DOLLY, RIGHT: THREE.MOUSE.PAN };
    c.addEventListener("change", () => this.requestRender());
    return c;
  }

  /** Positions n x 3 (z = 0 in 2-D), normalised to about [-1, 1]; resets the camera when dims change or asked. */
  setPositions(pos: Float32Array, dims: 2 | 3, resetCamera: boolean) {
    this.n = pos.length / 3;
    this.pos = pos;
    const newCamera = dims !== this.dims || resetCamera;
    if (newCamera) {
      this.dims = dims;
      this.controls.dispose();
      this.camera = this.makeCamera(dims);
      this.controls = this.makeControls();
      this.material.uniforms.perspective.value = dims === 3 ? 1 : 0;
    }
    const attr = this.geometry.getAttribute("position") as THREE.BufferAttribute | undefined;
    if (attr && attr.array.length === pos.length) { (attr.array as Float32Array).set(pos); attr.needsUpdate = true; }
    else this.geometry.setAttribute("position", new THREE.BufferAttribute(pos, 3));
    this.geometry.setDrawRange(0, this.n);
    // resizing reallocates the drawing buffers: only for a new camera, not for every t-SNE step
    if (newCamera) this.resize();
    else this.requestRender();
  }

  setStyle(style: PointStyle, sprite?: Float32Array) {
    this.style = style;
    // same-sized attributes are updated in place (a re-upload, no new GL buffers)
    const put = (name: string, data: Float32Array, width: number) => {
      const a = this.geometry.getAttribute(name) as THREE.BufferAttribute | undefined;
      if (a && a.array.length === data.length) { (a.array as Float32Array).set(data); a.needsUpdate = true; }
      else this.geometry.setAttribute(name, new THREE.BufferAttribute(data, width));
    };
    put("rgba", style.rgba, 4);
    put("psize", style.size, 1);
    put("sprite", sprite ?? new Float32Array(style.size.length).fill(-1), 1);
    this.requestRender();
  }

  /** A sprite sheet of cells w x h pixels, row-major (TensorBoard's layout); null turns thumbnails off. */
  setSprites(img: HTMLImageElement | null, cell?: [number, number]) {
    const u = this.material.uniforms;
    if (!img || !cell) { u.useSprites.value = 0; this.requestRender(); return; }
    if (!this.texture || this.texture.image !== img) {
      this.texture?.dispose();
      this.texture = new THREE.Texture(img);
      this.texture.flipY = false;
      this.texture.minFilter = THREE.LinearFilter;
      this.texture.generateMipmaps = false;
      this.texture.needsUpdate = true;
    }
    u.atlas.value = this.texture;
    u.cell.value.set(cell[0] / img.naturalWidth, cell[1] / img.naturalHeight);
    u.perRow.value = Math.max(1, Math.floor(img.naturalWidth / cell[0]));
    u.useSprites.value = 1;
    this.requestRender();
  }

  private resize() {
    const { w, h } = this.size();
    this.renderer.setSize(w, h);
    const dpr = window.devicePixelRatio || 1;
    this.overlay.width = w * dpr; this.overlay.height = h * dpr;
    this.overlay.style.width = `${w}px`; this.overlay.style.height = `${h}px`;
    if (this.camera instanceof THREE.PerspectiveCamera) this.camera.aspect = w / h;
    else { const a = w / h; this.camera.left = -1.1 * a; this.camera.right = 1.1 * a; }
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  requestRender() {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => { this.pending = 0; this.renderNow(); });
  }

  renderNow() {
    this.renderer.render(this.scene, this.camera);
    this.drawLabels();
    this.onFrame?.();
  }

  /** Screen position (CSS pixels) of point i, or null when behind the camera / hidden. */
  screen(i: number, m = this.viewProjection()): [number, number] | null {
    const p = this.pos, x = p[i * 3], y = p[i * 3 + 1], z = p[i * 3 + 2];
    const e = m.elements;
    const w = e[3] * x + e[7] * y + e[11] * z + e[15];
    if (w <= 0) return null;
    const cx = (e[0] * x + e[4] * y + e[8] * z + e[12]) / w, cy = (e[1] * x + e[5] * y + e[9] * z + e[13]) / w;
    const { clientWidth: W, clientHeight: H } = this.renderer.domElement;
    return [(cx + 1) / 2 * W, (1 - cy) / 2 * H];
  }

  private viewProjection() {
    this.camera.updateMatrixWorld();
    return new THREE.Matrix4().multiplyMatrices(this.camera.projectionMatrix, this.camera.matrixWorldInverse);
  }

  private drawLabels() {
    const g = this.overlay.getContext("2d")!;
    const dpr = window.devicePixelRatio || 1;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, this.overlay.width, this.overlay.height);
    if (!this.labels.length) return;
    const m = this.viewProjection();
    const fg = getComputedStyle(document.documentElement).getPropertyValue("--fg").trim() || "#222";
    const bg = getComputedStyle(document.documentElement).getPropertyValue("--panel").trim() || "#fff";
    g.font = "11px system-ui, sans-serif";
    g.lineWidth = 3;
    g.strokeStyle = bg;
    g.fillStyle = fg;
    for (const i of this.labels) {
      if (this.style && this.style.size[i] === 0) continue;
      const s = this.screen(i, m);
      if (!s) continue;
      const t = this.labelText(i);
      g.strokeText(t, s[0] + 6, s[1] - 6);
      g.fillText(t, s[0] + 6, s[1] - 6);
    }
  }

  /** The visible point nearest to (x, y) in CSS pixels within `radius`, or -1. */
  pick(x: number, y: number, radius = 8): number {
    const m = this.viewProjection();
    let best = -1, bd = radius * radius;
    for (let i = 0; i < this.n; i++) {
      if (this.style && this.style.size[i] === 0) continue;
      const s = this.screen(i, m);
      if (!s) continue;
      const d = (s[0] - x) ** 2 + (s[1] - y) ** 2;
      if (d < bd) { bd = d; best = i; }
    }
    return best;
  }

  private interact() {
    const el = this.renderer.domElement;
    let down: { x: number; y: number } | null = null;
    let hoverPending = 0;
    el.addEventListener("pointerdown", (e) => (down = { x: e.clientX, y: e.clientY }));
    el.addEventListener("pointerup", (e) => {
      if (!down) return;
      const moved = Math.abs(e.clientX - down.x) + Math.abs(e.clientY - down.y) > 4;
      down = null;
      if (moved) return;
      const r = el.getBoundingClientRect();
      this.onPick?.(this.pick(e.clientX - r.left, e.clientY - r.top));
    });
    el.addEventListener("pointermove", (e) => {
      if (down || hoverPending || !this.onHover) return;
      hoverPending = requestAnimationFrame(() => {
        hoverPending = 0;
        const r = el.getBoundingClientRect();
        const x = e.clientX - r.left, y = e.clientY - r.top;
        this.onHover?.(this.pick(x, y), x, y);
      });
    });
    el.addEventListener("pointerleave", () => this.onHover?.(-1, 0, 0));
  }

  /** Turns the 3-D camera about the target by `radians` (benchmarks, tests). */
  rotate(radians: number) {
    const t = this.controls.target, p = this.camera.position;
    const dx = p.x - t.x, dz = p.z - t.z;
    const c = Math.cos(radians), s = Math.sin(radians);
    p.x = t.x + c * dx - s * dz;
    p.z = t.z + s * dx + c * dz;
    this.camera.lookAt(t);
    this.controls.update();
  }

  dispose() {
    if (this.pending) cancelAnimationFrame(this.pending);
    this.resizeObs.disconnect();
    window.removeEventListener("tblog-theme", this.onTheme);
    this.controls.dispose();
    this.geometry.dispose();
    this.material.dispose();
    this.texture?.dispose();
    this.renderer.dispose();
    this.renderer.forceContextLoss();
  }
}
